using System.Net;
using System.Net.Http.Headers;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Expiry;

/// <summary>The sweep on the shared app, which has no cron secret configured.</summary>
[Collection(AppCollection.Name)]
public sealed class SweepWithoutSecretTests(AppFixture fixture)
{
    [Fact]
    public async Task Without_a_configured_secret_the_sweep_does_not_exist()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, SweepTests.SweepPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "");

        using var response = await fixture.App.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
