using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Copilot.Tests.Fixtures.Apps;

/// <summary>Admin calls (bearer = the admin secret) and their NDJSON answers.</summary>
public static class AdminCalls
{
    /// <summary>Sends <paramref name="method"/> <paramref name="path"/> with <paramref name="secret"/> and reads the whole answer.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path, string secret)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The JSON objects of an NDJSON body, one a line.</summary>
    public static List<JsonElement> Lines(string ndjson) =>
        [.. ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
}
