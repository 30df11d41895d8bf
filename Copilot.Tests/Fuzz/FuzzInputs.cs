using System.Text;
using Copilot.Api;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Fuzz;

/// <summary>A seeded generator of hostile requests: the same seed gives the same requests.</summary>
public sealed class FuzzInputs(int seed)
{
    /// <summary>Stands in the generated text for the id of a session the user owns; replaced when sending.</summary>
    public const string ExistingSession = "5e55105e-0000-4000-8000-0000000000ff";

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "text/plain", "application/xml",
        "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json; charset=utf-16",
        "application/octet-stream", ";;;", "application/json; charset=\"", "*/*",
    ];

    // JSON values to put where a field goes: wrong types, edge strings, huge numbers, escapes that decode to invalid
    // UTF-16, and ids that are almost UUIDs.
    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-1", "1e309", "-1e309", "123456789012345678901234567890", "0.1e-999999", "1.0",
        "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\uD83D\"", "\"a\\u0000b\"", "\"\\\"\"",
        "[]", "{}", "[\"field\"]", "{\"message\":\"nested\"}", "\"field\"", "\"pm\"", "\"exec\"", "\"FIELD\"", "\" pm\"",
        "\"admin\"", "\"" + Guid.Empty + "\"", "\"" + ExistingSession + "\"", "\"{" + ExistingSession + "}\"",
        "\"" + ExistingSession.ToUpperInvariant() + "\"", "\"" + ExistingSession.Replace("-", "", StringComparison.Ordinal) + "\"",
        "\"" + ExistingSession[..^1] + "\"", "\"not-a-uuid\"", "\"hello\"", "\"héllo wörld 🏠\"", "\"\\t\\n\\r\"",
        "\"" + new string('m', 16_001) + "\"", "\"" + new string('m', 16_000) + "\"", "\"" + new string('é', 9_000) + "\"",
    ];

    private static readonly string[] Keys = ["message", "sessionId", "role", "session_id", "Message", "MESSAGE", "", "__proto__"];

    private static readonly byte[][] BadUtf8 =
    [
        [0xC3, 0x28], [0xFF], [0xFE, 0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x80],
        [0xF0, 0x9F, 0x98], [0x00],
    ];

    private readonly Random _random = new(seed);

    /// <summary>A request to <paramref name="route"/> whose body is hostile (or, now and then, fine).</summary>
    public FuzzRequest Body(FuzzRoute route)
    {
        var userId = Guid.NewGuid();
        var valid = route.ValidBody ?? "{}";
        var (kind, body) = _random.Next(12) switch
        {
            0 => ("random bytes", Bytes(_random.Next(0, 2_000))),
            1 => ("invalid UTF-8 in a string", Splice(valid, "fuzz", BadUtf8[_random.Next(BadUtf8.Length)])),
            2 => DeepNesting(),
            3 => ("fields of odd types", Encoding.UTF8.GetBytes(OddObject())),
            4 => ("duplicate keys", Encoding.UTF8.GetBytes(DuplicateKeys())),
            5 => ("byte-order mark", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(valid)]),
            6 => ("mutated", Mutate(Encoding.UTF8.GetBytes(valid))),
            7 => ("truncated", Encoding.UTF8.GetBytes(valid[..Pick(valid.Length)])),
            8 => ("not an object", Encoding.UTF8.GetBytes(Pick(["", " ", "null", "[]", "\"message\"", "42", "{", "}", "{}", "[{\"message\":\"x\"}]"]))),
            9 => ("valid, existing session", Encoding.UTF8.GetBytes(valid.Replace("null", $"\"{ExistingSession}\"", StringComparison.Ordinal))),
            10 => ("valid", Encoding.UTF8.GetBytes(valid)),
            _ => ("over the size limit", Encoding.UTF8.GetBytes($$"""{"message":"{{new string('x', 300 * 1024)}}"}""")),
        };
        return new FuzzRequest
        {
            Route = route,
            Kind = "body: " + kind,
            Body = body,
            ContentType = _random.Next(3) == 0 ? Pick([null, .. ContentTypes]) : "application/json",
            UserId = userId,
            Authorization = ValidAuthorization(route, userId),
            UsesExistingSession = ContainsExistingSession(body),
        };
    }

    /// <summary>A request to <paramref name="route"/> with odd query parameters.</summary>
    public FuzzRequest Query(FuzzRoute route)
    {
        var userId = Guid.NewGuid();
        var names = route.QueryNames.Count > 0 ? route.QueryNames : ["sessionId"];
        var parts = new List<string>();
        var count = 1 + _random.Next(3);
        for (var i = 0; i < count; i++)
        {
            parts.Add(Uri.EscapeDataString(Pick([.. names, "SESSIONID", "x", ""])) + Pick(["=", "", "=="]) + QueryValue());
        }

        var query = "?" + string.Join(Pick(["&", ";", "&&"]), parts);
        return new FuzzRequest
        {
            Route = route,
            Kind = "query",
            Query = query,
            UserId = userId,
            Authorization = ValidAuthorization(route, userId),
            UsesExistingSession = query.Contains(ExistingSession, StringComparison.OrdinalIgnoreCase),
            Body = route.ValidBody is null ? null : Encoding.UTF8.GetBytes(route.ValidBody),
            ContentType = route.ValidBody is null ? null : "application/json",
        };
    }

    /// <summary>A request to <paramref name="route"/> with odd credentials or headers.</summary>
    public FuzzRequest Headers(FuzzRoute route)
    {
        var userId = Guid.NewGuid();
        var headers = new List<KeyValuePair<string, string>>();
        var authorization = ValidAuthorization(route, userId);
        string kind;
        switch (_random.Next(9))
        {
            case 0:
                kind = "no authorization";
                authorization = null;
                break;
            case 1:
                kind = "mangled authorization";
                authorization = Pick(["Bearer", "Bearer ", "bearer " + authorization?[7..], "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Bearer ....", "Bearer \u00ff\u00fe"]);
                break;
            case 2:
                kind = "authorization with a flipped character";
                authorization = FlipOne(authorization!);
                break;
            case 3:
                kind = "oversized authorization";
                authorization = "Bearer " + new string('A', Pick([8 * 1024, 40 * 1024, 100 * 1024]));
                break;
            case 4:
                kind = "oversized header";
                headers.Add(new("X-Fuzz", new string('h', Pick([1024, 33 * 1024, 70 * 1024]))));
                break;
            case 5:
                kind = "many headers";
                headers.AddRange(Enumerable.Range(0, Pick([50, 150, 400])).Select(i => new KeyValuePair<string, string>($"X-Fuzz-{i}", new string('v', 200))));
                break;
            case 6:
                kind = "bytes outside ASCII in headers";
                headers.Add(new("X-Session-Id", Latin1(Bytes(1 + _random.Next(40)))));
                headers.Add(new("Accept-Language", "d\u00e9j\u00e0 \u00ff"));
                break;
            case 7:
                kind = "odd standard headers";
                headers.Add(new("Accept", Pick(["", "*/*;q=abc", "text/event-stream", "application/json;;;"])));
                headers.Add(new("Origin", Pick(["null", "https://evil.example", "\u00ff"])));
                headers.Add(new("X-Forwarded-For", Pick(["", "::::", "1.2.3.4, , x"])));
                break;
            default:
                kind = "well-formed";
                break;
        }

        return new FuzzRequest
        {
            Route = route,
            Kind = "headers: " + kind,
            UserId = userId,
            Authorization = authorization,
            Headers = headers,
            Body = route.ValidBody is null ? null : Encoding.UTF8.GetBytes(route.ValidBody),
            ContentType = route.ValidBody is null ? null : "application/json",
        };
    }

    /// <summary>A request to <paramref name="route"/> whose body arrives a few bytes at a time.</summary>
    public static FuzzRequest SlowBody(FuzzRoute route, bool valid)
    {
        var userId = Guid.NewGuid();
        return new()
        {
            Route = route,
            Kind = valid ? "slow body" : "slow, broken body",
            Body = valid
            ? Encoding.UTF8.GetBytes(route.ValidBody ?? "{}")
            : Encoding.UTF8.GetBytes((route.ValidBody ?? "{}")[..^2]),
            ContentType = "application/json",
            UserId = userId,
            Authorization = ValidAuthorization(route, userId),
            Slow = true,
        };
    }

    /// <summary>Requests to an admin <paramref name="route"/> without its secret (none, or a wrong one), each with a body
    /// the route must not read: malformed JSON, one past <c>Copilot:Api:MaxRequestBodyBytes</c>, and 10 MB.</summary>
    public static IEnumerable<FuzzRequest> BodiesWithoutTheSecret(FuzzRoute route)
    {
        var limit = new ApiOptions().MaxRequestBodyBytes;
        (string Kind, byte[] Body)[] bodies =
        [
            ("malformed", "{"u8.ToArray()),
            ("one byte past the body limit", Padded(limit + 1)),
            ("10 MB", Padded(10 * 1024 * 1024)),
        ];
        (string Kind, string? Authorization)[] credentials =
        [
            ("anonymous", null),
            ("wrong secret", "Bearer not-the-secret"),
            ("the secret with one character more", "Bearer " + FuzzAppFixture.CronSecret + "x"),
        ];
        foreach (var (bodyKind, body) in bodies)
        {
            foreach (var (credentialKind, authorization) in credentials)
            {
                yield return new FuzzRequest
                {
                    Route = route,
                    Kind = $"{credentialKind}, body {bodyKind}",
                    Body = body,
                    ContentType = "application/json",
                    UserId = Guid.Parse(FuzzRoutes.AdminUser),
                    Authorization = authorization,
                };
            }
        }

        // A JSON object opened and never closed, padded with spaces to the length.
        static byte[] Padded(int length)
        {
            var body = new byte[length];
            Array.Fill(body, (byte)' ');
            body[0] = (byte)'{';
            return body;
        }
    }

    /// <summary>The credentials a well-formed request to <paramref name="route"/> carries.</summary>
    private static string ValidAuthorization(FuzzRoute route, Guid userId) => route.Auth switch
    {
        FuzzAuth.Cron => "Bearer " + FuzzAppFixture.CronSecret,
        _ => "Bearer " + TestTokens.For(userId),
    };

    private static bool ContainsExistingSession(byte[] body) =>
        body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(ExistingSession)) >= 0;

    private static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    private (string, byte[]) DeepNesting()
    {
        var depth = Pick([2, 63, 64, 65, 1_000, 10_000, 100_000]);
        var opening = Pick(["[", "{\"a\":"]);
        var closing = opening == "[" ? "]" : "}";
        var nested = new StringBuilder("{\"message\":");
        nested.Insert(nested.Length, opening, depth).Append("\"x\"").Insert(nested.Length, closing, depth).Append('}');
        return ($"deep nesting {depth}", Encoding.UTF8.GetBytes(nested.ToString()));
    }

    private string OddObject()
    {
        var fields = Enumerable.Range(0, 1 + _random.Next(4))
            .Select(_ => $"\"{Pick(Keys)}\":{Pick(Values)}");
        return "{" + string.Join(',', fields) + "}";
    }

    private string DuplicateKeys()
    {
        var key = Pick(["message", "sessionId", "role"]);
        return $"{{\"message\":\"first\",\"role\":\"field\",\"{key}\":{Pick(Values)},\"{key}\":{Pick(Values)}}}";
    }

    private string QueryValue() => _random.Next(8) switch
    {
        0 => ExistingSession,
        1 => "%" + Convert.ToHexString(Bytes(1 + _random.Next(6))),
        2 => string.Concat(Bytes(1 + _random.Next(6)).Select(b => "%" + Convert.ToHexString([b]))),
        3 => new string('9', Pick([37, 1_000, 6_000])),
        4 => Uri.EscapeDataString(Pick(["{" + ExistingSession + "}", ExistingSession.ToUpperInvariant(), " " + ExistingSession, "null", "🏠", "' OR 1=1 --"])),
        5 => "",
        6 => Guid.NewGuid().ToString(),
        _ => Uri.EscapeDataString(Encoding.Latin1.GetString(Bytes(1 + _random.Next(20)))),
    };

    private byte[] Splice(string text, string marker, byte[] bytes)
    {
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            (text, at) = ($"{{\"message\":\"{marker}\"}}", 12);
        }

        var head = Encoding.UTF8.GetBytes(text[..(at + _random.Next(marker.Length))]);
        var tail = Encoding.UTF8.GetBytes(text[head.Length..]);
        return [.. head, .. bytes, .. tail];
    }

    private byte[] Mutate(byte[] body)
    {
        var bytes = body.ToList();
        var edits = 1 + _random.Next(4);
        for (var i = 0; i < edits && bytes.Count > 0; i++)
        {
            var at = _random.Next(bytes.Count);
            switch (_random.Next(3))
            {
                case 0:
                    bytes[at] = (byte)_random.Next(256);
                    break;
                case 1:
                    bytes.RemoveAt(at);
                    break;
                default:
                    bytes.Insert(at, Pick("{}[]\",:\\0e-+ \u0001"u8.ToArray()));
                    break;
            }
        }

        return [.. bytes];
    }

    private string FlipOne(string text)
    {
        var at = 7 + _random.Next(text.Length - 7);
        var chars = text.ToCharArray();
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    private byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private int Pick(int bound) => _random.Next(bound);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
