using System.Net;
using System.Net.Http.Headers;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Api;

/// <summary>The panel runs in a browser on the web app's origin, so the browser asks before each authorized call.</summary>
public sealed class CorsTests(CorsAppFixture fixture) : IClassFixture<CorsAppFixture>
{
    private const string AppOrigin = CorsAppFixture.AppOrigin;
    private readonly CopilotAppFactory _app = fixture.App;

    [Fact]
    public async Task The_apps_origin_passes_the_preflight_and_can_read_the_session_header()
    {
        using var preflight = await PreflightAsync(AppOrigin);

        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(AppOrigin, preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", preflight.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        var allowedHeaders = preflight.Headers.GetValues("Access-Control-Allow-Headers").Single().ToLowerInvariant();
        Assert.Contains("authorization", allowedHeaders, StringComparison.Ordinal);
        Assert.Contains("content-type", allowedHeaders, StringComparison.Ordinal);

        using var send = new HttpRequestMessage(HttpMethod.Post, "/api/copilot")
        {
            Content = new StringContent("""{"message":"from the browser","role":"field"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        send.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(Guid.NewGuid()));
        send.Headers.Add("Origin", AppOrigin);
        using var response = await _app.CreateClient().SendAsync(send);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AppOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("X-Session-Id", response.Headers.GetValues("Access-Control-Expose-Headers").Single());
    }

    [Fact]
    public async Task Another_origin_gets_no_cors_permission()
    {
        using var preflight = await PreflightAsync("https://evil.example");

        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private async Task<HttpResponseMessage> PreflightAsync(string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/copilot");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return await _app.CreateClient().SendAsync(request);
    }
}
