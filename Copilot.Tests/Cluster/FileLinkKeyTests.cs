using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Copilot.Api.Files;
using Copilot.Silo.Database;
using Copilot.Testing.Images;
using Copilot.Tests.Api.V1;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Copilot.Tests.Cluster;

/// <summary>Signed file links across silos that share nothing but the database, as containers or machines of one
/// cluster do: the key is the service's, not a file of one silo's working directory.</summary>
public sealed class FileLinkKeyTests(FileLinkKeyTests.ConfiguredKeyFixture fixture) : IClassFixture<FileLinkKeyTests.ConfiguredKeyFixture>
{
    [Fact]
    public async Task Silos_starting_together_all_get_the_one_key_stored_first()
    {
        var store = fixture.App.Services.GetRequiredService<IFileUrlKeyStore>();
        var candidates = Enumerable.Range(0, 8).Select(_ => RandomNumberGenerator.GetBytes(32)).ToList();

        var keys = await Task.WhenAll(candidates.Select(candidate => Task.Run(() => store.GetOrAddAsync(candidate, CancellationToken.None))));

        var stored = await StoredKeyAsync(fixture.App.ServiceId);
        Assert.Contains(candidates, candidate => candidate.SequenceEqual(stored));
        Assert.All(keys, key => Assert.Equal(stored, key));
    }

    [Fact]
    public async Task A_configured_key_signs_the_links_instead_of_the_stored_one()
    {
        var user = new V1Client(fixture.App.CreateClient(), Guid.NewGuid());

        var url = await UploadAsync(user, TestImages.Png(20, 20));

        var query = QueryHelpers.ParseQuery(new Uri(new Uri("http://host"), url).Query);
        var fileId = Guid.Parse(url.Split('?')[0][FileUrls.PathPrefix.Length..]);
        var expected = WebEncoders.Base64UrlEncode(HMACSHA256.HashData(
            Convert.FromBase64String(ConfiguredKeyFixture.Key), Encoding.ASCII.GetBytes($"{fileId:N}.{query["exp"]}")));
        Assert.Equal(expected, query["sig"].ToString());
        using var served = await user.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task A_file_link_signed_by_one_silo_opens_on_another_with_a_working_directory_of_its_own()
    {
        var clusterId = "links-" + Guid.NewGuid().ToString("N")[..8];
        var directories = new[] { Directory.CreateTempSubdirectory("copilot-links-"), Directory.CreateTempSubdirectory("copilot-links-") };
        try
        {
            await using var first = await ClusterSilo.StartAsync(
                clusterId, clusterId, new Dictionary<string, string?>(), TimeSpan.FromSeconds(60), directories[0].FullName);
            await using var second = await ClusterSilo.StartAsync(
                clusterId, clusterId, new Dictionary<string, string?>(), TimeSpan.FromSeconds(60), directories[1].FullName);
            using var firstHttp = new HttpClient { BaseAddress = first.BaseAddress };
            using var secondHttp = new HttpClient { BaseAddress = second.BaseAddress };
            var userId = Guid.NewGuid();
            var png = TestImages.Png(40, 30);

            var fromFirst = await UploadAsync(new V1Client(firstHttp, userId), png);
            var fromSecond = await UploadAsync(new V1Client(secondHttp, userId), TestImages.Png(30, 40));

            using var onSecond = await secondHttp.GetAsync(fromFirst);
            using var onFirst = await firstHttp.GetAsync(fromSecond);
            Assert.Equal(HttpStatusCode.OK, onSecond.StatusCode);
            Assert.Equal(HttpStatusCode.OK, onFirst.StatusCode);
            Assert.Equal("image/png", onSecond.Content.Headers.ContentType?.MediaType);
            Assert.Equal(await (await firstHttp.GetAsync(fromFirst)).Content.ReadAsByteArrayAsync(), await onSecond.Content.ReadAsByteArrayAsync());
        }
        finally
        {
            foreach (var directory in directories)
            {
                directory.Delete(recursive: true);
            }
        }
    }

    private static async Task<string> UploadAsync(V1Client user, byte[] png)
    {
        using var request = user.NewRequest(HttpMethod.Post, "/v1/files");
        request.Content = new ByteArrayContent(png);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var answer = await V1Client.ReadAsync(await user.Http.SendAsync(request));
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        return answer.Body.GetProperty("url").GetString()!;
    }

    private static async Task<byte[]> StoredKeyAsync(string serviceId)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand("SELECT key FROM copilot_signing_keys WHERE service_id = $1 AND purpose = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = SqlFileUrlKeyStore.Purpose });
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    /// <summary>An app whose links are signed with a configured key.</summary>
    public sealed class ConfiguredKeyFixture() : ConfiguredAppFixture(new Dictionary<string, string?> { ["Copilot:Files:UrlSigningKey"] = Key })
    {
        public static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    }
}
