using System.Text;

namespace Copilot.Tests.Fuzz;

/// <summary>One generated request, described well enough to replay it by hand from a failure message.</summary>
public sealed class FuzzRequest
{
    private readonly bool _usesExistingSession;

    /// <summary>The route it attacks.</summary>
    public required FuzzRoute Route { get; init; }

    /// <summary>What the generator did, e.g. <c>body: deep nesting 4000</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The user whose token the request carries (a new one for every request).</summary>
    public required Guid UserId { get; init; }

    /// <summary>The query string, with its <c>?</c>, or empty.</summary>
    public string Query { get; init; } = "";

    /// <summary>The body, or null for none.</summary>
    public byte[]? Body { get; init; }

    /// <summary>The Content-Type header, or null for none.</summary>
    public string? ContentType { get; init; }

    /// <summary>The Authorization header; null sends none.</summary>
    public string? Authorization { get; init; }

    /// <summary>Extra headers, sent as given (values may hold bytes outside ASCII).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Send the body a few bytes at a time, with pauses.</summary>
    public bool Slow { get; init; }

    /// <summary>Starts a session for the user first and puts its id where the request names
    /// <see cref="FuzzInputs.ExistingSession"/> (path, query or body).</summary>
    public bool UsesExistingSession
    {
        get => _usesExistingSession || Route.Path.Contains(FuzzInputs.ExistingSession, StringComparison.Ordinal);
        init => _usesExistingSession = value;
    }

    public override string ToString()
    {
        var text = new StringBuilder($"{Kind}: {Route.Method} {Route.Path}{Truncate(Query, 200)}");
        text.Append($"; content-type {ContentType ?? "(none)"}; authorization {Truncate(Authorization ?? "(none)", 80)}");
        foreach (var (name, value) in Headers)
        {
            text.Append($"; {name}: {Truncate(value, 80)} ({value.Length} chars)");
        }

        if (Body is not null)
        {
            text.Append($"; body {Body.Length} bytes: {Convert.ToHexString(Body.AsSpan(0, Math.Min(Body.Length, 120)))}");
        }

        return text.ToString();
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length] + "…";
}
