namespace Copilot.Tests.Fuzz;

/// <summary>Every route the fuzzer attacks: one line per route.</summary>
/// <remarks>A path or body may name <see cref="FuzzInputs.ExistingSession"/>: each request then runs against a session
/// the user owns, e.g. <c>new(HttpMethod.Get, $"/v1/sessions/{FuzzInputs.ExistingSession}/messages", FuzzAuth.User,
/// null, ["limit", "before"])</c>.</remarks>
public static class FuzzRoutes
{
    /// <summary>The routes.</summary>
    public static IReadOnlyList<FuzzRoute> All { get; } =
    [
        new(HttpMethod.Post, "/api/copilot", FuzzAuth.User, """{"message":"fuzz","sessionId":null,"role":"field"}""", []),
        new(HttpMethod.Get, "/api/copilot", FuzzAuth.User, null, ["sessionId"]),
        new(HttpMethod.Get, "/api/cron/cleanup-copilot-sessions", FuzzAuth.Cron, null, []),
    ];

    /// <summary>The routes as xunit theory data.</summary>
    public static TheoryData<string> Names => [.. All.Select(r => r.ToString())];

    /// <summary>The route named <paramref name="name"/> (see <see cref="FuzzRoute.ToString"/>).</summary>
    public static FuzzRoute Named(string name) => All.Single(r => r.ToString() == name);
}
