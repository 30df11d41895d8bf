using Copilot.Grains;
using Copilot.Grains.Sessions.Storage;
using Copilot.Grains.Sessions.Turns;

namespace Copilot.Tests.Sessions;

/// <summary>The one rule for stored text, and the streamed reply's chunk-by-chunk repair.</summary>
public sealed class StoredTextTests
{
    // Built here, not passed as theory data: the test runner's serialization would turn a lone surrogate into U+FFFD.
    [Fact]
    public void Storable_text_has_no_NUL_and_no_unpaired_surrogate()
    {
        Assert.True(StoredText.IsStorable("plain"));
        Assert.True(StoredText.IsStorable("emoji \ud83d\ude00"));
        Assert.False(StoredText.IsStorable("nul \0"));
        Assert.False(StoredText.IsStorable("lone high \ud83d"));
        Assert.False(StoredText.IsStorable("\ude00 lone low"));
        Assert.False(StoredText.IsStorable("reversed \ude00\ud83d"));
    }

    [Fact]
    public void Repair_puts_a_replacement_character_in_place_of_each_NUL_and_unpaired_surrogate() =>
        Assert.Equal("a\uFFFDb\uFFFD\ud83d\ude00\uFFFD\uFFFD", StoredText.Repair("a\0b\ud83d\ud83d\ude00\ude00\ud83d"));

    [Fact]
    public void A_pair_split_across_chunks_survives_and_a_half_left_at_the_end_is_replaced()
    {
        var repair = new ModelTextRepair();
        var shown = repair.Next("smile \ud83d") + repair.Next("") + repair.Next("\ude00 x\0") + repair.Next("\ud83d") +
            repair.Next("y") + repair.Next("end \ud83d") + repair.Flush();

        Assert.Equal("smile \ud83d\ude00 x\uFFFD\uFFFDyend \uFFFD", shown);
    }

    [Theory]
    [InlineData("Roof\u001b[31m red\u0007 bell", "Roof[31m red bell")]
    [InlineData("\u202eevil\u202c \u2066isolate\u2069", "evil isolate")]
    [InlineData("C1\u0085\u009b del\u007f", "C1 del")]
    [InlineData("\u200b\u200b", "")]
    [InlineData("\u0007\u202e ", "")]
    public void A_title_loses_control_characters_and_bidirectional_overrides(string given, string stored) =>
        Assert.Equal(stored, SessionProjections.MakeTitle(given));

    [Fact]
    public void An_automatic_title_is_cut_at_a_grapheme_boundary()
    {
        // A family emoji is 11 UTF-16 units, one grapheme cluster: never cut inside it.
        const string family = "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d\udc66";
        var title = SessionProjections.MakeTitle(string.Concat(Enumerable.Repeat(family, 20)));

        Assert.Equal(string.Concat(Enumerable.Repeat(family, 7)) + "…", title);
        Assert.True(StoredText.IsStorable(title));
        Assert.DoesNotContain('\uFFFD', title);
    }
}
