using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Copilot.Grains.Sessions;
using Copilot.Grains.Shares;
using Copilot.Silo.Database;
using Copilot.Testing.Images;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Copilot.Tests.Api.V1;

/// <summary>Read-only share links on a two-silo cluster with a fake clock: a share shows exactly its snapshot and nothing
/// of its owner, is revoked on every silo at once, expires, outlives a restart, and goes with its session or user;
/// unknown, revoked and expired links are indistinguishable.</summary>
public sealed class SharesTests(SharesTests.Fixture fixture) : IClassFixture<SharesTests.Fixture>
{
    private const string Secret = "admin-secret-for-shares-tests-0123456789";
    private readonly CopilotAppFactory _a = fixture.SiloA;
    private readonly CopilotAppFactory _b = fixture.SiloB;
    private readonly FakeTimeProvider _clock = fixture.Clock;

    [Fact]
    public async Task A_share_shows_exactly_the_snapshot_and_never_a_later_message()
    {
        var user = new V1Client(_a.CreateClient(), Guid.NewGuid());
        var chat = Guid.NewGuid();
        await user.SendAsync(chat, "c-1", "Gutter pulling away from the fascia", persona: "field");
        await user.SendAsync(chat, "c-2", "And the downspout?");
        var history = (await user.GetOkAsync($"/v1/sessions/{chat}/messages")).GetProperty("data").EnumerateArray().Reverse().ToList();

        var created = await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares", new { });
        await user.SendAsync(chat, "c-3", "A message after the share");
        var token = created.Body.GetProperty("token").GetString()!;
        var (status, shared, _) = await ReadShareAsync(_b, token);

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(43, token.Length);
        Assert.Equal("/s/" + token, created.Body.GetProperty("url").GetString());
        Assert.Equal(_clock.GetUtcNow().AddDays(30), created.Body.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("field", shared.GetProperty("persona").GetString());
        Assert.Equal(
            (await user.GetOkAsync($"/v1/sessions/{chat}")).GetProperty("title").GetString(), shared.GetProperty("title").GetString());
        var messages = shared.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(history.Select(m => m.GetProperty("id").GetGuid()), messages.Select(m => m.GetProperty("id").GetGuid()));
        Assert.Equal(history.Select(m => m.GetProperty("parts").ToString()), messages.Select(m => m.GetProperty("parts").ToString()));
        Assert.Equal(4, created.Body.GetProperty("message_count").GetInt32());
        Assert.DoesNotContain("A message after the share", shared.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_share_numbers_its_messages_without_the_gaps_that_versions_left_out_would_show()
    {
        var user = new V1Client(_a.CreateClient(), Guid.NewGuid());
        var chat = Guid.NewGuid();
        const string question = "Which underlayment for a low slope?";
        await user.SendAsync(chat, "c-1", question);
        using (var regenerated = await user.PostChatAsync(new
        {
            id = chat,
            messages = new[] { new { id = "c-1", role = "user", parts = new[] { new { type = "text", text = question } } } },
            trigger = "regenerate-message",
        }))
        {
            Assert.Equal(HttpStatusCode.OK, regenerated.StatusCode);
            using var reader = new SseReader(await regenerated.Content.ReadAsStreamAsync());
            _ = await reader.ReadToEndAsync();
        }

        await user.SendAsync(chat, "c-2", "And the drip edge?");
        var owned = (await user.GetOkAsync($"/v1/sessions/{chat}/messages")).GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("metadata").GetProperty("seq").GetInt64()).Reverse().ToList();
        var token = (await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares")).Body.GetProperty("token").GetString()!;
        var (status, shared, _) = await ReadShareAsync(_b, token);

        Assert.Equal([0L, 2L, 3L, 4L], owned);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            [0L, 1L, 2L, 3L],
            shared.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("metadata").GetProperty("seq").GetInt64()));
        Assert.DoesNotContain("version", shared.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shared_conversation_names_nothing_of_its_owner_nor_their_feedback_is_not_indexed_and_cannot_be_written()
    {
        var user = new V1Client(_a.CreateClient(), Guid.NewGuid());
        var chat = Guid.NewGuid();
        await user.SendAsync(chat, "client-message-id-1", "Estimate for a 30 square re-roof");
        var reply = (await user.GetOkAsync($"/v1/sessions/{chat}/messages?limit=1")).GetProperty("data")[0].GetProperty("id").GetGuid();
        var rated = await user.CallAsync(
            HttpMethod.Put, $"/v1/sessions/{chat}/messages/{reply}/feedback", new { rating = "down", reason = "wrong", comment = "owner-only-feedback" });
        var token = (await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares")).Body.GetProperty("token").GetString()!;

        using var response = await _a.CreateClient().GetAsync($"/v1/shares/{token}");
        var text = await response.Content.ReadAsStringAsync();
        using var write = await _a.CreateClient().PostAsync($"/v1/shares/{token}", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("noindex", response.Headers.GetValues("X-Robots-Tag").Single());
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, rated.Status);
        foreach (var secret in new[]
        {
            user.UserId.ToString(), "user_id", "owner", "email", "client-message-id-1", "client_message_id", chat.ToString(), "feedback",
        })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(HttpStatusCode.MethodNotAllowed, write.StatusCode);
    }

    [Fact]
    public async Task A_revoked_share_answers_404_on_every_silo_as_soon_as_the_revoke_is_answered()
    {
        var onA = new V1Client(_a.CreateClient(), Guid.NewGuid());
        var onB = new V1Client(_b.CreateClient(), onA.UserId);
        var stranger = new V1Client(_b.CreateClient(), Guid.NewGuid());
        var chat = Guid.NewGuid();
        await onA.SendAsync(chat, "c-1", "Hail damage on a metal roof");
        var created = (await onA.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares", new { expires_in_days = 7 })).Body;
        var (token, id) = (created.GetProperty("token").GetString()!, created.GetProperty("id").GetString()!);
        var listed = await onB.GetOkAsync($"/v1/sessions/{chat}/shares");

        var strangerList = await stranger.CallAsync(HttpMethod.Get, $"/v1/sessions/{chat}/shares");
        var strangerRevoke = await stranger.CallAsync(HttpMethod.Delete, $"/v1/sessions/{chat}/shares/{id}");
        var strangerCreate = await stranger.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares");
        var beforeOnA = await ReadShareAsync(_a, token);
        var revoked = await onB.CallAsync(HttpMethod.Delete, $"/v1/sessions/{chat}/shares/{id}");
        var afterOnA = await ReadShareAsync(_a, token);
        var afterOnB = await ReadShareAsync(_b, token);
        var revokedAgain = await onA.CallAsync(HttpMethod.Delete, $"/v1/sessions/{chat}/shares/{id}");

        Assert.Equal(id, Assert.Single(listed.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
        Assert.DoesNotContain(token, listed.ToString(), StringComparison.Ordinal);
        V1Client.AssertProblem(strangerList, HttpStatusCode.NotFound, "session_not_found");
        V1Client.AssertProblem(strangerRevoke, HttpStatusCode.NotFound, "session_not_found");
        V1Client.AssertProblem(strangerCreate, HttpStatusCode.NotFound, "session_not_found");
        Assert.Equal(HttpStatusCode.OK, beforeOnA.Status);
        Assert.Equal(HttpStatusCode.NoContent, revoked.Status);
        Assert.Equal(HttpStatusCode.NotFound, afterOnA.Status);
        Assert.Equal(HttpStatusCode.NotFound, afterOnB.Status);
        V1Client.AssertProblem(revokedAgain, HttpStatusCode.NotFound, "share_not_found");
        Assert.Empty((await onA.GetOkAsync($"/v1/sessions/{chat}/shares")).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task A_shared_photo_is_served_through_the_share_only_while_it_lives_and_only_if_the_snapshot_holds_it()
    {
        var user = new V1Client(_a.CreateClient(), Guid.NewGuid());
        var chat = Guid.NewGuid();
        var png = TestImages.Png(320, 200);
        using (var sent = await user.PostChatAsync(new
        {
            id = chat,
            messages = new[]
            {
                new { id = "c-1", role = "user", parts = new object[] { new { type = "text", text = "Is this flashing lifted?" }, new { type = "file", mediaType = "image/png", filename = "flashing.png", url = TestImages.DataUrl(png, "image/png") } } },
            },
            trigger = "submit-message",
        }))
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
            using var reader = new SseReader(await sent.Content.ReadAsStreamAsync());
            _ = await reader.ReadToEndAsync();
        }

        var owned = (await user.GetOkAsync($"/v1/sessions/{chat}/messages")).GetProperty("data").EnumerateArray()
            .SelectMany(m => m.GetProperty("parts").EnumerateArray()).Single(p => p.GetProperty("type").GetString() == "file");
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/v1/files") { Content = new ByteArrayContent(TestImages.Png(10, 10)) };
        upload.Content.Headers.ContentType = new("image/png");
        upload.Headers.Authorization = new("Bearer", TestTokens.For(user.UserId));
        using var uploaded = await user.Http.SendAsync(upload);
        var unshared = (await V1Client.ReadAsync(uploaded)).Body.GetProperty("id").GetString();
        var created = (await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares")).Body;
        var (token, id) = (created.GetProperty("token").GetString()!, created.GetProperty("id").GetString()!);
        var (_, shared, _) = await ReadShareAsync(_b, token);
        var part = shared.GetProperty("messages").EnumerateArray()
            .SelectMany(m => m.GetProperty("parts").EnumerateArray()).Single(p => p.GetProperty("type").GetString() == "file");
        var url = part.GetProperty("url").GetString()!;
        var fileId = url.Split('/')[^1];

        using var anonymous = _b.CreateClient();
        using var image = await anonymous.GetAsync(url);
        var imageBytes = await image.Content.ReadAsByteArrayAsync();
        using var thumb = await anonymous.GetAsync(url + "?size=thumb");
        using var ownedImage = await anonymous.GetAsync(owned.GetProperty("url").GetString());
        using var notInSnapshot = await anonymous.GetAsync($"/v1/shares/{token}/files/{unshared}");
        using var wrongToken = await anonymous.GetAsync(url.Replace(token, token[..^2] + (token[^2..] == "AA" ? "AB" : "AA"), StringComparison.Ordinal));
        var revoked = await user.CallAsync(HttpMethod.Delete, $"/v1/sessions/{chat}/shares/{id}");
        using var afterRevoke = await anonymous.GetAsync(url);

        Assert.Equal("image/png", part.GetProperty("mediaType").GetString());
        Assert.Equal($"/v1/shares/{token}/files/{fileId}", url);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await ownedImage.Content.ReadAsByteArrayAsync(), imageBytes);
        Assert.Equal(HttpStatusCode.OK, thumb.StatusCode);
        Assert.True((await thumb.Content.ReadAsByteArrayAsync()).Length < imageBytes.Length);
        Assert.Equal(HttpStatusCode.NotFound, notInSnapshot.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoked.Status);
        Assert.Equal(HttpStatusCode.NotFound, afterRevoke.StatusCode);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
    }

    [Fact]
    public async Task A_share_expires_on_the_service_clock_and_its_lifetime_is_bounded()
    {
        var user = new V1Client(_a.CreateClient(), Guid.NewGuid());
        var chat = Guid.NewGuid();
        await user.SendAsync(chat, "c-1", "Moss on the north slope");
        var token = (await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares", new { expires_in_days = 1 })).Body.GetProperty("token").GetString()!;
        var tooLong = await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares", new { expires_in_days = 366 });
        var none = await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares", new { expires_in_days = 0 });
        var text = await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares", new { expires_in_days = "7" });

        var beforeExpiry = await ReadShareAsync(_b, token);
        _clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1));
        var lastSecond = await ReadShareAsync(_b, token);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var expired = await ReadShareAsync(_b, token);

        Assert.Equal(HttpStatusCode.OK, beforeExpiry.Status);
        Assert.Equal(HttpStatusCode.OK, lastSecond.Status);
        Assert.Equal(HttpStatusCode.NotFound, expired.Status);
        Assert.Empty((await user.GetOkAsync($"/v1/sessions/{chat}/shares")).GetProperty("data").EnumerateArray());
        foreach (var refused in new[] { tooLong, none, text })
        {
            V1Client.AssertProblem(refused, HttpStatusCode.BadRequest, "invalid_request");
        }
    }

    [Fact]
    public async Task A_user_keeps_at_most_the_configured_live_shares_over_all_sessions_until_one_is_revoked_or_expires()
    {
        // Each share holds a copy of its conversation: without a bound, one user making links as fast as the write limit
        // lets them would fill the database.
        await using var app = await CopilotAppFactory.StartAsync(
            settings: new Dictionary<string, string?> { ["Copilot:Sessions:MaxSharesPerUser"] = "2" },
            configureServices: services => services.AddKeyedSingleton<TimeProvider>(SessionsOptions.ClockKey, _clock),
            connectionString: fixture.ConnectionString);
        var user = new V1Client(app.CreateClient(), Guid.NewGuid());
        var other = new V1Client(app.CreateClient(), Guid.NewGuid());
        var (first, second, others) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await user.SendAsync(first, "c-1", "Soft decking by the chimney");
        await user.SendAsync(second, "c-1", "Cracked pipe boot");
        await other.SendAsync(others, "c-1", "Nail pops along the ridge");

        var revoked = (await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{first}/shares")).Body.GetProperty("id").GetString();
        var expiring = await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{second}/shares", new { expires_in_days = 1 });
        var overLimit = await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{second}/shares");
        var othersShare = await other.CallAsync(HttpMethod.Post, $"/v1/sessions/{others}/shares");
        var revoke = await user.CallAsync(HttpMethod.Delete, $"/v1/sessions/{first}/shares/{revoked}");
        var afterRevoke = await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{first}/shares");
        var stillFull = await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{first}/shares");
        _clock.Advance(TimeSpan.FromDays(1));
        var afterExpiry = await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{second}/shares");

        Assert.Equal(HttpStatusCode.Created, expiring.Status);
        V1Client.AssertProblem(overLimit, HttpStatusCode.Conflict, "share_limit");
        Assert.Single((await user.GetOkAsync($"/v1/sessions/{second}/shares")).GetProperty("data").EnumerateArray());
        Assert.Equal(HttpStatusCode.Created, othersShare.Status);
        Assert.Equal(HttpStatusCode.NoContent, revoke.Status);
        Assert.Equal(HttpStatusCode.Created, afterRevoke.Status);
        V1Client.AssertProblem(stillFull, HttpStatusCode.Conflict, "share_limit");
        Assert.Equal(HttpStatusCode.Created, afterExpiry.Status);
    }

    [Fact]
    public async Task A_share_asked_for_with_an_empty_json_body_takes_the_default_lifetime()
    {
        // What a client that declares JSON on every call sends when it has nothing to say: the header and no body.
        var user = new V1Client(_a.CreateClient(), Guid.NewGuid());
        var chat = Guid.NewGuid();
        await user.SendAsync(chat, "c-1", "Ice dam at the eaves");
        using var request = user.NewRequest(HttpMethod.Post, $"/v1/sessions/{chat}/shares");
        request.Content = new ByteArrayContent([]);
        request.Content.Headers.ContentType = new("application/json");

        using var response = await user.Http.SendAsync(request);
        var created = await CopilotClient.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(_clock.GetUtcNow().AddDays(30), created.GetProperty("expires_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Unknown_malformed_revoked_and_expired_links_get_the_same_404()
    {
        var user = new V1Client(_a.CreateClient(), Guid.NewGuid());
        var chat = Guid.NewGuid();
        await user.SendAsync(chat, "c-1", "Skylight leaking at the curb");
        var revoked = (await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares")).Body;
        var expiring = (await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares", new { expires_in_days = 1 })).Body;
        // Revoked by its token, as the link's owner holds it (the list gives ids; either revokes).
        var revoke = await user.CallAsync(HttpMethod.Delete, $"/v1/sessions/{chat}/shares/{revoked.GetProperty("token").GetString()}");
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.NoContent, revoke.Status);

        var answers = new List<(HttpStatusCode Status, JsonElement Body, string? ContentType)>();
        foreach (var token in new[]
        {
            ShareTokens.NewToken(), "not-a-token", revoked.GetProperty("token").GetString()!, expiring.GetProperty("token").GetString()!,
        })
        {
            answers.Add(await ReadShareAsync(_a, token));
        }

        foreach (var answer in answers)
        {
            V1Client.AssertProblem(answer, HttpStatusCode.NotFound, "share_not_found");
        }

        // Every problem carries its request's own trace id; everything else is the same, byte for byte.
        Assert.All(answers, a => Assert.Equal(WithoutTraceId(answers[0].Body), WithoutTraceId(a.Body)));
    }

    [Fact]
    public async Task Deleting_or_expiring_the_session_or_deleting_the_user_removes_its_shares()
    {
        var user = new V1Client(_a.CreateClient(), Guid.NewGuid());
        var (deleted, expiring, ofUser) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var other = new V1Client(_a.CreateClient(), Guid.NewGuid());
        await user.SendAsync(deleted, "c-1", "Session to delete");
        await user.SendAsync(ofUser, "c-1", "Session deleted with its user");
        await other.SendAsync(expiring, "c-1", "Session left to expire");
        var tokens = new Dictionary<Guid, string>();
        foreach (var (client, chat) in new[] { (user, deleted), (user, ofUser), (other, expiring) })
        {
            tokens[chat] = (await client.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares", new { expires_in_days = 365 })).Body
                .GetProperty("token").GetString()!;
        }

        Assert.Equal(HttpStatusCode.NoContent, (await user.CallAsync(HttpMethod.Delete, $"/v1/sessions/{deleted}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await AdminCalls.SendAsync(_b.CreateClient(), HttpMethod.Delete, $"/api/admin/users/{user.UserId}", Secret)).Status);
        _clock.Advance(TimeSpan.FromDays(31));
        Assert.True(await _a.Services.GetRequiredService<IGrainFactory>().GetGrain<ISessionGrain>(expiring).ExpireIfIdleAsync());

        foreach (var (chat, token) in tokens)
        {
            Assert.Empty(await Sql.ColumnAsync<string>(
                _a.Services.GetRequiredService<CopilotDatabase>().DataSource, "SELECT id FROM copilot_shares WHERE session_id = @id", chat));
            Assert.Equal(HttpStatusCode.NotFound, (await ReadShareAsync(_b, token)).Status);
        }
    }

    [Fact]
    public async Task A_share_survives_a_restart_of_the_service()
    {
        var serviceId = "shares-restart-" + Guid.NewGuid().ToString("N")[..8];
        var userId = Guid.NewGuid();
        var chat = Guid.NewGuid();
        string token;
        JsonElement before;
        await using (var first = await CopilotAppFactory.StartAsync(serviceId, connectionString: fixture.ConnectionString))
        {
            var user = new V1Client(first.CreateClient(), userId);
            await user.SendAsync(chat, "c-1", "Ridge vent whistling in the wind");
            token = (await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares")).Body.GetProperty("token").GetString()!;
            before = (await ReadShareAsync(first, token)).Body;
        }

        await using var second = await CopilotAppFactory.StartAsync(serviceId, connectionString: fixture.ConnectionString);
        var after = await ReadShareAsync(second, token);
        var listed = await new V1Client(second.CreateClient(), userId).GetOkAsync($"/v1/sessions/{chat}/shares");

        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal(before.ToString(), after.Body.ToString());
        Assert.Single(listed.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Anonymous_reads_are_limited_per_client_address()
    {
        await using var app = await CopilotAppFactory.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Copilot:Api:ShareReadsPerMinute"] = "2",
                ["Copilot:Api:ShareFileReadsPerMinute"] = "3",
            },
            connectionString: fixture.ConnectionString);
        var token = ShareTokens.NewToken();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await app.CreateClient().GetAsync($"/v1/shares/{token}"));
        }

        // A shared page's images count apart: the conversation's reads used up leave them their own budget.
        var files = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var file = await app.CreateClient().GetAsync($"/v1/shares/{token}/files/{Guid.NewGuid()}?size=thumb");
            files.Add(file.StatusCode);
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], answers.Select(a => a.StatusCode));
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], files);
        Assert.True(answers[2].Headers.RetryAfter?.Delta > TimeSpan.Zero);
        V1Client.AssertProblem(await V1Client.ReadAsync(answers[2]), HttpStatusCode.TooManyRequests, "rate_limited");
        answers.ForEach(a => a.Dispose());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> ReadShareAsync(CopilotAppFactory app, string token)
    {
        using var response = await app.CreateClient().GetAsync($"/v1/shares/{token}");
        return await V1Client.ReadAsync(response);
    }

    private static string WithoutTraceId(JsonElement problem)
    {
        var node = JsonNode.Parse(problem.GetRawText())!.AsObject();
        Assert.True(node.Remove("trace_id"));
        return node.ToJsonString();
    }

    /// <summary>Two silos of one cluster (two whole apps on one database), sharing a fake session clock and the admin secret.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        /// <summary>The class's own database, for every app its tests start: a sweep deletes every share row its clock
        /// calls expired, whichever service made it, and other classes' sweeps run on clocks moved days ahead.</summary>
        public string ConnectionString { get; private set; } = null!;

        public CopilotAppFactory SiloA { get; private set; } = null!;

        public CopilotAppFactory SiloB { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var serviceId = "shares-" + Guid.NewGuid().ToString("N")[..8];
            var settings = new Dictionary<string, string?>
            {
                ["Copilot:Cluster:ClusterId"] = serviceId,
                ["Copilot:Admin:CronSecret"] = Secret,
                ["Copilot:Api:ShareReadsPerMinute"] = "10000",
            };
            void Configure(IServiceCollection services) => services.AddKeyedSingleton<TimeProvider>(SessionsOptions.ClockKey, Clock);
            ConnectionString = await TestDatabase.CreateEmptyDatabaseAsync();
            SiloA = await CopilotAppFactory.StartAsync(serviceId, settings, Configure, ConnectionString);
            SiloB = await CopilotAppFactory.StartAsync(serviceId, settings, Configure, ConnectionString);
            foreach (var silo in new[] { SiloA, SiloB })
            {
                var management = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
                await Eventually.HoldsAsync(
                    async () => (await management.GetHosts(onlyActive: true)).Count == 2, "both silos see each other", TimeSpan.FromSeconds(60));
            }
        }

        public async Task DisposeAsync()
        {
            await SiloB.DisposeAsync();
            await SiloA.DisposeAsync();
        }
    }
}
