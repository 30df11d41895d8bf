namespace Copilot.Tests.Fuzz;

/// <summary>Every route the fuzzer attacks: one line per route.</summary>
/// <remarks>A path or body may name <see cref="FuzzInputs.ExistingSession"/>: each request then runs against a session
/// the user owns, e.g. <c>new(HttpMethod.Get, $"/v1/sessions/{FuzzInputs.ExistingSession}/messages", FuzzAuth.User,
/// null, ["limit", "before"])</c>.</remarks>
public static class FuzzRoutes
{
    public static IReadOnlyList<FuzzRoute> All { get; } =
    [
        new(HttpMethod.Post, "/api/copilot", FuzzAuth.User, """{"message":"fuzz","sessionId":null,"role":"field"}""", []),
        new(HttpMethod.Get, "/api/copilot", FuzzAuth.User, null, ["sessionId"]),
        new(HttpMethod.Get, "/api/cron/cleanup-copilot-sessions", FuzzAuth.Cron, null, []),
        new(HttpMethod.Delete, $"/api/admin/users/{AdminUser}", FuzzAuth.Cron, null, []),
        new(HttpMethod.Post, "/api/admin/users/deleted", FuzzAuth.Cron, $$$"""{"type":"DELETE","old_record":{"id":"{{{AdminUser}}}"}}""", []),
        new(HttpMethod.Get, $"/api/admin/users/{AdminUser}/export", FuzzAuth.Cron, null, []),
        new(HttpMethod.Post, "/v1/chat", FuzzAuth.User,
            $$$"""{"id":"{{{FuzzInputs.ExistingSession}}}","message":{"id":"m-fuzz","role":"user","parts":[{"type":"text","text":"fuzz"}]}}""", []),
        new(HttpMethod.Get, $"/v1/chat/{FuzzInputs.ExistingSession}/stream", FuzzAuth.User, null, []),
        new(HttpMethod.Post, $"/v1/chat/{FuzzInputs.ExistingSession}/stop", FuzzAuth.User, null, []),
        new(HttpMethod.Get, "/v1/sessions", FuzzAuth.User, null, ["limit", "after"]),
        new(HttpMethod.Get, $"/v1/sessions/{FuzzInputs.ExistingSession}", FuzzAuth.User, null, []),
        new(HttpMethod.Patch, $"/v1/sessions/{FuzzInputs.ExistingSession}", FuzzAuth.User, """{"title":"fuzz"}""", []),
        new(HttpMethod.Delete, $"/v1/sessions/{FuzzInputs.ExistingSession}", FuzzAuth.User, null, []),
        new(HttpMethod.Get, $"/v1/sessions/{FuzzInputs.ExistingSession}/messages", FuzzAuth.User, null, ["limit", "before"]),
        new(HttpMethod.Put, $"/v1/sessions/{FuzzInputs.ExistingSession}/messages/{FuzzedMessage}/feedback", FuzzAuth.User,
            """{"rating":"down","reason":"wrong","comment":"fuzz"}""", []),
        new(HttpMethod.Delete, $"/v1/sessions/{FuzzInputs.ExistingSession}/messages/{FuzzedMessage}/feedback", FuzzAuth.User, null, []),
        new(HttpMethod.Post, $"/v1/sessions/{FuzzInputs.ExistingSession}/shares", FuzzAuth.User, """{"expires_in_days":7}""", []),
        new(HttpMethod.Get, $"/v1/sessions/{FuzzInputs.ExistingSession}/shares", FuzzAuth.User, null, []),
        new(HttpMethod.Delete, $"/v1/sessions/{FuzzInputs.ExistingSession}/shares/{FuzzedShare}", FuzzAuth.User, null, []),
        new(HttpMethod.Get, "/api/admin/feedback", FuzzAuth.Cron, null, ["since", "until"]),
    ];

    /// <summary>A message id no session holds.</summary>
    private const string FuzzedMessage = "f0220000-0000-4000-8000-000000000001";

    /// <summary>A share id (43 base64url characters) no session has.</summary>
    private const string FuzzedShare = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuz";

    /// <summary>The user whose data the admin routes are asked about (nobody's, unless a test gives them a session).</summary>
    public const string AdminUser = "ad3a1000-0000-4000-8000-000000000001";

    /// <summary>The routes as xunit theory data.</summary>
    public static TheoryData<string> Names => [.. All.Select(r => r.ToString())];

    /// <summary>The routes that take the admin secret, as xunit theory data.</summary>
    public static TheoryData<string> AdminNames => [.. All.Where(r => r.Auth == FuzzAuth.Cron).Select(r => r.ToString())];

    /// <summary>The route named <paramref name="name"/> (see <see cref="FuzzRoute.ToString"/>).</summary>
    public static FuzzRoute Named(string name) => All.Single(r => r.ToString() == name);
}
