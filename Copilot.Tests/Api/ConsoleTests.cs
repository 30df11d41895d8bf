using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Api;

/// <summary>The chat console's static files come from the assembly, whatever the content root, with a strict policy.</summary>
[Collection(AppCollection.Name)]
public sealed partial class ConsoleTests(AppFixture fixture)
{
    [Theory]
    [InlineData("/", "/console/app.js")]
    [InlineData("/s/0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", "/console/shared.js")]
    public async Task The_console_and_the_share_page_are_served_with_a_strict_content_security_policy(string path, string script)
    {
        using var response = await fixture.App.CreateClient().GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("require-trusted-types-for 'script'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"""<script type="module" src="{script}"></script>""", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(InlineCode(), html);
    }

    [Theory]
    [InlineData("app.js", "text/javascript")]
    [InlineData("styles.css", "text/css")]
    [InlineData("vendor/marked/marked.esm.js", "text/javascript")]
    [InlineData("vendor/marked/LICENSE", "application/octet-stream")]
    [InlineData("vendor/dompurify/purify.mjs", "text/javascript")]
    [InlineData("vendor/dompurify/LICENSE", "application/octet-stream")]
    public async Task Every_file_of_the_console_is_served_from_the_assembly(string path, string mediaType)
    {
        using var response = await fixture.App.CreateClient().GetAsync(new Uri($"/console/{path}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
        Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
    }

    [Fact]
    public async Task An_unchanged_file_answers_not_modified_to_its_etag()
    {
        var client = fixture.App.CreateClient();
        using var first = await client.GetAsync(new Uri("/console/app.js", UriKind.Relative));
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/console/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var second = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(CacheControlHeaderValue.Parse("no-cache"), first.Headers.CacheControl);
    }

    [Theory]
    [InlineData("/console/missing.js")]
    [InlineData("/console/../Copilot.Api.dll")]
    [InlineData("/console/")]
    public async Task A_path_that_is_not_a_console_file_is_not_found(string path)
    {
        using var response = await fixture.App.CreateClient().GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>An inline script, an event-handler attribute or a style attribute: what the policy would block.</summary>
    [GeneratedRegex("""<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|\sstyle\s*=""", RegexOptions.IgnoreCase)]
    private static partial Regex InlineCode();
}
