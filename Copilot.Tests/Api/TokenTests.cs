using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Api;

[Collection(AppCollection.Name)]
public sealed class TokenTests(AppFixture fixture)
{
    public static TheoryData<string, string?> BadTokens => new()
    {
        { "missing", null },
        { "garbage", "not.a.jwt" },
        { "expired", TestTokens.Create(Guid.NewGuid().ToString(), expires: DateTime.UtcNow.AddMinutes(-5)) },
        { "forged", TestTokens.Create(Guid.NewGuid().ToString(), secret: "another-secret-that-is-also-32-bytes-long!") },
        { "wrong issuer", TestTokens.Create(Guid.NewGuid().ToString(), issuer: "https://evil.example/auth/v1") },
        { "wrong audience", TestTokens.Create(Guid.NewGuid().ToString(), audience: "anon") },
        { "non-uuid sub", TestTokens.Create("user-42") },
        { "empty sub", TestTokens.Create("") },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Every_route_answers_401_to_a_bad_token(string fault, string? token)
    {
        var http = fixture.App.CreateClient();
        var requests = new[]
        {
            new HttpRequestMessage(HttpMethod.Post, "/api/copilot") { Content = new StringContent("""{"message":"hi"}""", Encoding.UTF8, "application/json") },
            new HttpRequestMessage(HttpMethod.Get, "/api/copilot"),
            new HttpRequestMessage(HttpMethod.Get, $"/api/copilot?sessionId={Guid.NewGuid()}"),
        };

        foreach (var request in requests)
        {
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await http.SendAsync(request);
            var body = await CopilotClient.ReadJsonAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{fault}: {request.Method} {request.RequestUri} gave {response.StatusCode}");
            Assert.Equal("Unauthorized", body.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task A_valid_token_is_accepted()
    {
        var user = fixture.NewUser();

        Assert.Empty(await user.ListSessionsAsync());
    }
}
