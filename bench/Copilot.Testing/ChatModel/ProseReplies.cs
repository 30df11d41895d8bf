using System.Globalization;

namespace Copilot.Testing.ChatModel;

/// <summary>Varied roofing prose of about a chosen length: the offline model's replies in the benchmark, so that it
/// stores replies of the size a real model writes, and text that compresses like real text rather than one sentence
/// repeated.</summary>
public static class ProseReplies
{
    /// <summary>The benchmark silo's setting for the replies' length in characters; unset, the offline model's short reply.</summary>
    public const string ReplyCharsKey = "Bench:ReplyChars";

    /// <summary>The most <see cref="Compose"/> falls short of the length asked for.</summary>
    public const int Shortfall = 100;

    /// <summary>The least length <see cref="Compose"/> accepts: its opening and a sentence.</summary>
    public const int MinChars = 200;

    /// <summary>Between <paramref name="chars"/> − <see cref="Shortfall"/> and <paramref name="chars"/> characters of
    /// varied roofing prose (paragraphs, now and then a numbered list), one chunk per sentence. The same question and
    /// turn always give the same text; different ones give different text.</summary>
    public static IReadOnlyList<string> Compose(string question, int priorTurns, int chars)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentOutOfRangeException.ThrowIfLessThan(chars, MinChars);
        var random = new ProseRandom(question, priorTurns);
        var chunks = new List<string> { Opening };
        var length = Opening.Length;
        var inParagraph = 1;
        var listItem = 0;
        while (true)
        {
            string? next = null;
            for (var attempt = 0; attempt < 16 && next is null; attempt++)
            {
                // The separator goes with the sentence it leads into, so every chunk but the first starts with one.
                var (separator, item) = listItem > 0
                    ? ($"\n{listItem}. ", listItem)
                    : inParagraph >= 3 + random.Next(3)
                        ? random.Next(5) == 0 ? ("\n\n" + ListLead(random) + "\n1. ", 1) : ("\n\n", 0)
                        : (" ", 0);
                var sentence = separator + (item > 0 ? ListSentence(random) : Sentence(random));
                if (length + sentence.Length <= chars)
                {
                    next = sentence;
                    listItem = item is > 0 and < ListItems ? item + 1 : 0;
                    inParagraph = item == ListItems ? int.MaxValue : item > 0 ? 0 : separator == " " ? inParagraph + 1 : 1;
                }
            }

            // Nothing fits any more: close with the longest sign-off that does.
            next ??= Closers.Select(c => (listItem > 0 ? "\n\n" : " ") + c).Where(c => length + c.Length <= chars).MaxBy(c => c.Length);
            if (next is null)
            {
                return chunks;
            }

            chunks.Add(next);
            length += next.Length;
            if (Closers.Any(next.EndsWith))
            {
                return chunks;
            }
        }
    }

    private const int ListItems = 4;

    private const string Opening = "I'm the offline assistant (no chat model is configured), so here is sample text, not advice.";

    private static string Sentence(ProseRandom r) => Capital(r.Next(10) switch
    {
        0 => $"{Capital(r.Pick(Openers))} the {r.Pick(Parts)} {r.Pick(Places)}: {r.Pick(Findings)} usually means {r.Pick(Causes)}.",
        1 => $"If the {r.Pick(Parts)} shows {r.Pick(Findings)}, {r.Pick(Actions)} before {r.Pick(Events)}.",
        2 => $"A {r.Pick(Grades)} {r.Pick(Materials)} roof typically lasts {15 + r.Next(40)} years, though {r.Pick(Factors)} can shorten that considerably.",
        3 => $"Most manufacturers ask for {2 + r.Next(5)} {r.Pick(Fasteners)} per {r.Pick(Units)}, set {r.Pick(Distances)} from {r.Pick(Edges)}.",
        4 => $"{r.Pick(Connectors)}, {r.Pick(Actions)} and {r.Pick(Actions)}.",
        5 => $"On a {3 + r.Next(10)}/12 pitch, {r.Pick(Advice)}.",
        6 => $"Measure the {r.Pick(Dimensions)} of the {r.Pick(Parts)}; anything over {(2 * r.Next(4)) + 1}/{r.Pick(Fractions)} inch points to {r.Pick(Causes)}.",
        7 => $"When the homeowner mentions {r.Pick(Symptoms)}, trace it back to the {r.Pick(Parts)} rather than the {r.Pick(Parts)}.",
        8 => $"{r.Pick(Findings)} {r.Pick(Places)} is common on {r.Pick(Materials)} after {2 + r.Next(25)} years, and {r.Pick(Causes)} makes it worse.",
        _ => $"{r.Pick(Connectors)}, the {r.Pick(Parts)} {r.Pick(Places)} deserves a second look, because {r.Pick(Causes)} rarely stays in one spot.",
    });

    private static string ListLead(ProseRandom r) => $"For the {r.Pick(Parts)}, a short checklist:";

    private static string ListSentence(ProseRandom r) => $"{Capital(r.Pick(Actions))} {r.Pick(Places)}.";

    private static string Capital(string text) => string.Concat(char.ToUpperInvariant(text[0]).ToString(CultureInfo.InvariantCulture), text.AsSpan(1));

    private static readonly string[] Openers =
    [
        "start with", "look closely at", "before anything else, check", "it is worth inspecting", "pay attention to",
        "walk the roof and examine", "from the ground, look at", "on older houses, inspect", "take a minute with",
    ];

    private static readonly string[] Parts =
    [
        "flashing", "step flashing", "counter-flashing", "drip edge", "ridge cap", "valley liner", "underlayment", "decking",
        "fascia board", "soffit vent", "gutter", "downspout", "chimney cricket", "pipe boot", "skylight curb",
        "ice and water shield", "starter strip", "shingle tabs", "sealant bead", "ridge vent", "rafter tails", "sheathing",
        "kickout flashing", "membrane seam", "parapet cap", "dormer cheek wall", "plumbing vent collar", "hip shingles",
    ];

    private static readonly string[] Places =
    [
        "along the eaves", "around the chimney", "in the valley", "near the ridge", "under the first course",
        "where the roof meets the wall", "around every penetration", "on the north slope", "above the gutter line",
        "at the rake edge", "beside the skylight", "behind the satellite mount", "over the garage", "at the dormer",
    ];

    private static readonly string[] Findings =
    [
        "granule loss", "a soft spot underfoot", "rust streaks", "lifted tabs", "cracked sealant", "dark staining",
        "exposed nail heads", "blistering", "moss growth", "daylight through the boards", "a sagging line", "curled edges",
        "a missing shingle", "water marks on the rafters", "loose mortar", "split seams",
    ];

    private static readonly string[] Causes =
    [
        "trapped moisture", "poor attic ventilation", "a failed sealant joint", "thermal movement",
        "nails driven at an angle", "an undersized valley", "ice damming last winter", "a missing kickout",
        "hail impact", "wind uplift", "plain age", "foot traffic from another trade", "a blocked gutter", "over-driven nails",
    ];

    private static readonly string[] Actions =
    [
        "photograph it from two angles", "note the location on your sketch", "probe the decking with an awl",
        "lift a tab gently with a flat bar", "check the attic side with a flashlight", "run a hose test from the bottom up",
        "measure the exposure", "record the moisture reading", "replace the sealant", "re-nail with ring-shank nails",
        "clear the debris", "reseal the pipe boot", "count the layers at the edge", "mark the soft areas with chalk",
        "check the manufacturer's warranty terms", "ask when the roof was last replaced",
    ];

    private static readonly string[] Events =
    [
        "the next heavy rain", "you write the quote", "the adjuster arrives", "winter sets in", "you leave the site",
        "the crew starts the tear-off", "the gutters go back on", "anyone signs off on the job",
    ];

    private static readonly string[] Materials =
    [
        "asphalt", "architectural shingle", "cedar shake", "standing-seam metal", "clay tile", "slate", "EPDM", "TPO",
        "modified bitumen", "concrete tile", "corrugated steel",
    ];

    private static readonly string[] Grades = ["three-tab", "laminated", "well-installed", "budget", "heavy", "lightweight", "impact-rated", "premium"];

    private static readonly string[] Factors =
    [
        "poor ventilation", "a coastal climate", "strong afternoon sun", "repeated freeze-thaw cycles",
        "overhanging trees", "a low pitch", "sloppy flashing work", "a dark colour in a hot region",
    ];

    private static readonly string[] Fasteners = ["nails", "screws", "clips", "cleats"];

    private static readonly string[] Units = ["shingle", "square", "panel", "course", "linear foot of edge"];

    private static readonly string[] Distances = ["1 inch", "3/4 inch", "6 inches", "an inch and a half", "2 inches", "5/8 inch"];

    private static readonly string[] Edges = ["the top edge", "the cut line", "the rake", "the seam", "the sealant strip", "the butt edge"];

    private static readonly string[] Connectors =
    [
        "In practice", "After that", "While you are up there", "If the budget allows", "On a reroof", "For the report",
        "To be safe", "Next", "Just as important",
    ];

    private static readonly string[] Advice =
    [
        "walk only with proper fall protection", "valleys carry far more water than the open field",
        "underlayment laps of 4 inches are the minimum", "low-slope rules apply to the whole section",
        "the starter course matters more than it looks", "wet shingles are slicker than they seem",
        "a cricket behind the chimney is worth the extra hour", "ridge vents need matching intake at the soffits",
    ];

    private static readonly string[] Dimensions = ["gap", "overlap", "exposure", "deflection", "reveal", "lap"];

    private static readonly string[] Fractions = ["8", "16", "32"];

    private static readonly string[] Closers =
    [
        "Stay safe up there.", "Send me photos if anything looks off.", "Write down what you find before you fix anything.",
        "Once you have measurements and photos, bring them back here and we can work through the repair options together.",
    ];

    private static readonly string[] Symptoms =
    [
        "a drip in the hallway", "a musty attic", "peeling ceiling paint", "ice along the eaves", "a whistling noise in wind",
        "a stain that grows after storms", "shingle grit in the downspouts", "a bulge in the ceiling drywall",
    ];

    /// <summary>SplitMix64 seeded with a stable hash of the question and turn: the same text on every run and every
    /// .NET version, which <see cref="Random"/> does not promise.</summary>
    private sealed class ProseRandom
    {
        private ulong _state;

        public ProseRandom(string question, int turn)
        {
            // FNV-1a over the question's UTF-16 code units, then the turn.
            var hash = 14695981039346656037UL;
            foreach (var c in question)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            _state = (hash ^ (uint)turn) * 1099511628211UL;
        }

        public int Next(int bound)
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z % (ulong)bound);
        }

        public string Pick(string[] words) => words[Next(words.Length)];
    }
}
