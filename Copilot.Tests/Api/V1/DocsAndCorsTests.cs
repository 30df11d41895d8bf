using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Api.V1;

/// <summary>The OpenAPI document, the reference page (served offline), and what browsers may do with <c>/v1</c>.</summary>
/// <remarks>The tests only read what the app serves, so they share one app (the one that lists the web app's origin).</remarks>
public sealed partial class DocsAndCorsTests(CorsAppFixture fixture) : IClassFixture<CorsAppFixture>
{
    private const string AppOrigin = CorsAppFixture.AppOrigin;
    private readonly CopilotAppFactory _app = fixture.App;

    [Fact]
    public async Task The_openapi_document_describes_both_surfaces()
    {
        var text = await _app.CreateClient().GetStringAsync("/openapi/v1.json");
        var paths = JsonDocument.Parse(text).RootElement.GetProperty("paths");

        Assert.Equal(["post", "get"], Methods(paths, "/api/copilot"));
        Assert.Equal(["post"], Methods(paths, "/v1/chat"));
        Assert.Equal(["get"], Methods(paths, "/v1/chat/{id}/stream"));
        Assert.Equal(["post"], Methods(paths, "/v1/chat/{id}/stop"));
        Assert.Equal(["get"], Methods(paths, "/v1/sessions"));
        Assert.Equal(["get", "patch", "delete"], Methods(paths, "/v1/sessions/{id}"));
        Assert.Equal(["get"], Methods(paths, "/v1/sessions/{id}/messages"));
        Assert.True(paths.GetProperty("/v1/chat").GetProperty("post").GetProperty("responses").GetProperty("200")
            .GetProperty("content").TryGetProperty("text/event-stream", out _));
    }

    [Fact]
    public async Task The_reference_page_loads_only_assets_the_service_serves_itself()
    {
        var client = _app.CreateClient();
        var page = await client.GetStringAsync("/docs/");

        var assets = ScriptSource().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(assets);
        Assert.DoesNotContain("://", page, StringComparison.Ordinal);
        foreach (var asset in assets)
        {
            using var response = await client.GetAsync("/docs/" + asset);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Theory]
    [InlineData("PATCH", "/v1/sessions/6f1c3d4e-0000-4000-8000-000000000001", "authorization,content-type")]
    [InlineData("PUT", "/v1/sessions/6f1c3d4e-0000-4000-8000-000000000001/active", "authorization,content-type")]
    [InlineData("DELETE", "/v1/sessions/6f1c3d4e-0000-4000-8000-000000000001", "authorization")]
    [InlineData("GET", "/v1/chat/6f1c3d4e-0000-4000-8000-000000000001/stream", "authorization,last-event-id")]
    public async Task The_apps_origin_may_call_every_v1_method_with_the_headers_it_needs(string method, string path, string headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", AppOrigin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);

        using var preflight = await _app.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(AppOrigin, preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains(method, preflight.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        var allowed = preflight.Headers.GetValues("Access-Control-Allow-Headers").Single().ToLowerInvariant();
        Assert.All(headers.Split(','), h => Assert.Contains(h, allowed, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_chat_stream_exposes_its_protocol_header_to_the_apps_origin()
    {
        var user = new V1Client(_app.CreateClient(), Guid.NewGuid());
        using var request = user.NewRequest(HttpMethod.Post, "/v1/chat");
        request.Content = System.Net.Http.Json.JsonContent.Create(V1Client.Body(Guid.NewGuid(), "o-1", "from the browser"));
        request.Headers.Add("Origin", AppOrigin);

        using var response = await user.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AppOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("x-vercel-ai-ui-message-stream", response.Headers.GetValues("Access-Control-Expose-Headers").Single());
    }

    private static List<string> Methods(JsonElement paths, string path) =>
        [.. paths.GetProperty(path).EnumerateObject().Select(p => p.Name).Where(n => n is "get" or "post" or "patch" or "delete")];

    [GeneratedRegex("<script[^>]*src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
