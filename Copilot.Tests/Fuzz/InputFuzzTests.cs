using System.Net;
using System.Text.RegularExpressions;

namespace Copilot.Tests.Fuzz;

/// <summary>Hostile requests on every route of <see cref="FuzzRoutes"/>: never a 5xx, never a stack trace, and a
/// rejected request stores nothing.</summary>
/// <remarks>The cases come from a fixed seed, so a run is repeatable; set <c>COPILOT_FUZZ_SEED</c> to explore others
/// and <c>COPILOT_FUZZ_SCALE</c> to multiply the number of cases. A failure names the seed and the request.</remarks>
public sealed class InputFuzzTests(FuzzAppFixture app) : IClassFixture<FuzzAppFixture>
{
    private const int DefaultSeed = 20_261_130;

    /// <summary>How many cases of a route are in flight together.</summary>
    private const int CasesAtOnce = 4;

    private static readonly string[] StackTraceMarks = ["   at ", "Exception", "System.", "Npgsql", "Orleans."];

    public static TheoryData<string> Routes => FuzzRoutes.Names;

    public static TheoryData<string> AdminRoutes => FuzzRoutes.AdminNames;

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("COPILOT_FUZZ_SEED"), out var seed) ? seed : DefaultSeed;

    private static int Scale => int.TryParse(Environment.GetEnvironmentVariable("COPILOT_FUZZ_SCALE"), out var scale) ? scale : 1;

    [Theory]
    [MemberData(nameof(Routes))]
    public Task Hostile_bodies(string route) => RunAsync(route, 150, (inputs, r) => inputs.Body(r));

    [Theory]
    [MemberData(nameof(Routes))]
    public Task Hostile_query_strings(string route) => RunAsync(route, 50, (inputs, r) => inputs.Query(r));

    [Theory]
    [MemberData(nameof(Routes))]
    public Task Hostile_headers(string route) => RunAsync(route, 50, (inputs, r) => inputs.Headers(r));

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Slow_bodies_are_read_to_the_end_and_judged_like_fast_ones(string route)
    {
        var routeToFuzz = FuzzRoutes.Named(route);
        await Task.WhenAll(
            CheckAsync(FuzzInputs.SlowBody(routeToFuzz, valid: true)),
            CheckAsync(FuzzInputs.SlowBody(routeToFuzz, valid: false)));
    }

    [Theory]
    [InlineData(null, "POST", "/api/admin/users/deleted", 401)]
    [InlineData("Bearer not-the-secret", "POST", "/api/admin/users/deleted", 401)]
    [InlineData(null, "DELETE", "/api/admin/users/00000000-0000-4000-8000-000000000001", 401)]
    [InlineData(null, "GET", "/api/cron/cleanup-copilot-sessions", 401)]
    [InlineData("Bearer " + FuzzAppFixture.CronSecret, "POST", "/api/admin/users/deleted", 413)]
    public async Task An_admin_call_is_answered_before_its_25_MB_body_is_sent(
        string? authorization, string method, string path, int status)
    {
        var request = new FuzzRequest
        {
            Route = new FuzzRoute(new HttpMethod(method), path, FuzzAuth.Cron, null, []),
            Kind = "25 MB body",
            UserId = Guid.NewGuid(),
            Authorization = authorization,
            ContentType = "application/json",
            Body = [(byte)'{', .. Enumerable.Repeat((byte)' ', (25 * 1024 * 1024) - 1)],
        };

        var answer = await app.SendUnreadAsync(request);

        // The answer came while most of the body was still unsent: the server did not wait for (or buffer) the rest.
        Assert.Equal(status, answer.Status);
        Assert.Equal(status == 401 ? "unauthorized" : "body_too_large", answer.Code);
        Assert.Contains("nosniff", answer.Headers, StringComparison.Ordinal);
        Assert.True(answer.BodyBytesSent < request.Body.Length / 2, $"{answer.BodyBytesSent:N0} bytes were sent before the answer");
    }

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task Bodies_without_the_admin_secret_are_refused_unread_and_change_nothing(string route)
    {
        var routeToFuzz = FuzzRoutes.Named(route);
        var owner = Guid.Parse(FuzzRoutes.AdminUser);
        var sessionId = await app.StartSessionAsync(owner);
        foreach (var request in FuzzInputs.BodiesWithoutTheSecret(routeToFuzz))
        {
            var before = await app.KeyedRowsAsync(owner, sessionId);
            var since = DateTime.UtcNow;

            var answer = await app.SendUnreadAsync(request);

            // Past the body limit the refusal may be 413 instead; either way the body is never parsed (400) or obeyed.
            var what = $"{request}: {answer.Status} {answer.Body}";
            Assert.True(answer.Status is 401 || (answer.Status is 413 && request.Body!.Length > 1), what);
            Assert.True(answer.Code == (answer.Status == 401 ? "unauthorized" : "body_too_large"), what);
            Assert.True(
                Regex.IsMatch(answer.Headers, routeToFuzz.Path.StartsWith("/api/admin", StringComparison.Ordinal)
                    ? @"(?im)^Content-Type: application/problem\+json"
                    : @"(?im)^Content-Type: application/json"),
                what);
            Assert.Equal(before, await app.KeyedRowsAsync(owner, sessionId));
            Assert.Equal(0, await app.RowsWrittenSinceAsync(owner, since));
        }
    }

    private async Task RunAsync(string route, int cases, Func<FuzzInputs, FuzzRoute, FuzzRequest> generate)
    {
        var routeToFuzz = FuzzRoutes.Named(route);
        var seed = Seed + StableHash(route) + cases;
        var inputs = new FuzzInputs(seed);

        // Each case is its own user's, and every check is scoped to that user: the cases are independent, so a few run
        // at once. The loop takes the cases one at a time from the seeded generator, so a seed still gives the same ones.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, cases * Scale).Select(i => (Case: i, Request: generate(inputs, routeToFuzz))),
            new ParallelOptions { MaxDegreeOfParallelism = CasesAtOnce },
            async (next, _) =>
            {
                try
                {
                    await CheckAsync(next.Request);
                }
                catch (Exception ex)
                {
                    throw new Xunit.Sdk.XunitException(
                        $"Case {next.Case} of seed {seed} (COPILOT_FUZZ_SEED={Seed}) failed: {next.Request}{Environment.NewLine}{ex.Message}", ex);
                }
            });

        await app.AssertStoredRowsReadableAsync();
    }

    private async Task CheckAsync(FuzzRequest request)
    {
        var sessionId = request.UsesExistingSession ? await app.StartSessionAsync(request.UserId) : (Guid?)null;
        var before = sessionId is { } id ? await app.KeyedRowsAsync(request.UserId, id) : default;
        var since = DateTime.UtcNow;

        HttpStatusCode? status = null;
        string body;
        try
        {
            using var response = await app.SendAsync(request, sessionId);
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException ex)
        {
            // The server may close the connection on a request it will not read (an oversized header block); that is
            // an answer, not a fault. A timeout (a hang) is not caught here.
            body = ex.Message;
        }

        Assert.True(status is null or < HttpStatusCode.InternalServerError, $"{(int?)status}: {body}");
        var succeeded = status is >= HttpStatusCode.OK and < HttpStatusCode.MultipleChoices;
        if (status is HttpStatusCode.OK && request.Route.Method == HttpMethod.Post && request.Route.Path == "/api/copilot")
        {
            // A reply echoes the message, so only the frame of a stack trace is looked for in it.
            Assert.DoesNotContain(StackTraceMarks[0], body, StringComparison.Ordinal);
            Assert.Matches(@"\n\n\[SESSION_ID:[0-9a-f-]{36}\]$", body);
        }
        else
        {
            foreach (var mark in StackTraceMarks)
            {
                Assert.DoesNotContain(mark, body, StringComparison.Ordinal);
            }
        }

        if (!succeeded)
        {
            Assert.Equal(0, await app.RowsWrittenSinceAsync(request.UserId, since));
            if (sessionId is { } existing)
            {
                Assert.Equal(before, await app.KeyedRowsAsync(request.UserId, existing));
            }
        }
    }

    private static int StableHash(string text) =>
        text.Aggregate(17, (hash, c) => unchecked((hash * 31) + c)) & 0xFFFF;
}
