using System.Net;
using System.Net.Http.Json;
using System.Text;
using Copilot.Api;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Api;

/// <summary>What every caller, anonymous ones included, gets back: hardened headers, a document that names no host and
/// no admin route, a body with a code on every refusal, admin calls that read nothing without their secret, and titles
/// as the stored-text rule makes them.</summary>
[Collection(AppCollection.Name)]
public sealed class HardeningTests(AppFixture fixture)
{
    private readonly CopilotAppFactory _app = fixture.App;

    [Fact]
    public async Task The_reference_page_has_a_content_security_policy_that_forbids_framing()
    {
        using var response = await _app.CreateClient().GetAsync(new Uri(ApiHosting.DocsPath, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ApiHosting.DocsContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("frame-ancestors 'none'", ApiHosting.DocsContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task The_openapi_document_names_no_server_from_the_host_header_and_no_admin_route()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ApiHosting.OpenApiPath);
        request.Headers.Host = "evil.example";
        using var response = await _app.CreateClient().SendAsync(request);
        var document = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"/v1/chat\"", document, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", document, StringComparison.Ordinal);
        Assert.DoesNotContain("/api/admin", document, StringComparison.Ordinal);
        Assert.DoesNotContain("/api/cron", document, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("GET", "/api/copilot", true)]
    [InlineData("GET", "/v1/sessions", true)]
    [InlineData("GET", "/v1/sessions", false)]
    [InlineData("GET", "/healthz", false)]
    [InlineData("GET", "/metrics", false)]
    [InlineData("GET", "/", false)]
    public async Task Every_response_says_nosniff(string method, string path, bool signedIn)
    {
        var user = fixture.NewUser();
        using var request = signedIn ? user.NewRequest(new HttpMethod(method), path) : new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await _app.CreateClient().SendAsync(request);

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("PUT", "/v1/sessions", null, 405, "method_not_allowed", true)]
    [InlineData("PUT", "/api/copilot", null, 405, "method_not_allowed", false)]
    [InlineData("PUT", "/api/admin/users/deleted", null, 405, "method_not_allowed", true)]
    [InlineData("POST", "/v1/chat", "text/plain", 415, "unsupported_media_type", true)]
    [InlineData("POST", "/api/copilot", "text/plain", 415, "unsupported_media_type", false)]
    [InlineData("POST", "/api/copilot", "application/x-www-form-urlencoded", 415, "unsupported_media_type", false)]
    [InlineData("POST", "/api/admin/users/deleted", "application/json", 404, "not_found", true)]
    public async Task Every_refusal_has_a_body_with_a_code(
        string method, string path, string? contentType, int status, string code, bool problem)
    {
        var user = fixture.NewUser();
        using var request = user.NewRequest(new HttpMethod(method), path);
        request.Content = new StringContent("{", Encoding.UTF8, contentType ?? "application/json");
        using var response = await _app.CreateClient().SendAsync(request);
        var body = await CopilotClient.ReadJsonAsync(response);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal(problem ? "application/problem+json" : "application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem ? body.TryGetProperty("detail", out _) : body.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task A_send_without_a_content_type_is_read_as_json()
    {
        // Only a body declared as something else is refused: one with no Content-Type at all is read as JSON.
        var user = fixture.NewUser();
        using var request = user.NewRequest(HttpMethod.Post, "/api/copilot");
        request.Content = new ByteArrayContent("{\"message\":\"no content type\"}"u8.ToArray());
        using var response = await _app.CreateClient().SendAsync(request);
        var (_, list) = await user.GetAsync("/v1/sessions");

        Assert.Null(request.Content.Headers.ContentType);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("[SESSION_ID:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("no content type", list.GetProperty("data")[0].GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("Roof\u001b[31m red\u0007 bell", "Roof[31m red bell")]
    [InlineData("\u202eevil\u202c \u2066isolate\u2069 \u0085next\u009b", "evil isolate next")]
    public async Task A_renamed_title_loses_control_characters_and_bidirectional_overrides(string given, string stored)
    {
        var user = fixture.NewUser();
        var sessionId = (await user.SendAsync("a session to rename")).SessionId;

        using var response = await user.Http.SendAsync(Rename(user, sessionId, given));
        var (_, list) = await user.GetAsync("/v1/sessions");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(stored, list.GetProperty("data")[0].GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("\u0007\u001b")]
    [InlineData("\u202e\u2066")]
    [InlineData("\u200b\u200b\u200b")]
    public async Task A_title_with_nothing_visible_is_refused(string given)
    {
        var user = fixture.NewUser();
        var sessionId = (await user.SendAsync("a session to rename")).SessionId;

        using var response = await user.Http.SendAsync(Rename(user, sessionId, given));
        var body = await CopilotClient.ReadJsonAsync(response);
        var (_, list) = await user.GetAsync("/v1/sessions");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", body.GetProperty("code").GetString());
        Assert.Equal("a session to rename", list.GetProperty("data")[0].GetProperty("title").GetString());
    }

    private static HttpRequestMessage Rename(CopilotClient user, Guid sessionId, string title)
    {
        var request = user.NewRequest(HttpMethod.Patch, $"/v1/sessions/{sessionId}");
        request.Content = JsonContent.Create(new { title });
        return request;
    }
}
