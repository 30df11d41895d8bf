using System.Net;
using System.Text.Json;
using Copilot.Grains.Files;
using Copilot.Testing.Images;
using Copilot.Tests.Api.V1;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Expiry;

/// <summary>The expiry sweep deletes every owner's images that no message has shown for
/// <c>Copilot:Files:UnsentFileLifetime</c> (a day), so that those of an owner who never uploads again do not stay
/// stored; each owner's under that owner's lock, as a send's attach takes it. An image is made old by moving its
/// <c>created_at</c> back.</summary>
[Collection(SweepsAloneCollection.Name)]
public sealed class UnsentFilesSweepTests : IAsyncLifetime
{
    private CopilotAppFactory _app = null!;

    private IFileStore Store => _app.Services.GetRequiredService<IFileStore>();

    public async Task InitializeAsync() => _app = await CopilotAppFactory.StartAsync(
        settings: new Dictionary<string, string?> { ["Copilot:Admin:CronSecret"] = ExpiryApp.CronSecret });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_sweep_deletes_every_owners_old_unsent_images_and_keeps_the_shown_and_the_recent_ones()
    {
        var user = NewUser();
        var other = NewUser();
        var shown = await UploadAsync(user, TestImages.Jpeg(100, 100), "image/jpeg");
        await FilesTests.SendAsync(user, Guid.NewGuid(), "what is this?", FilesTests.File("image/jpeg", shown.Url));
        var unsent = await UploadAsync(user, TestImages.Png(40, 40), "image/png");
        var recent = await UploadAsync(user, TestImages.Png(60, 60), "image/png");
        var othersUnsent = await UploadAsync(other, TestImages.Png(40, 40), "image/png");
        await SweepAsync(); // old unsent images stored before this test (a reused test database) go now
        await MakeOldAsync(shown.Id, unsent.Id, othersUnsent.Id);

        var first = await SweepAsync();
        var second = await SweepAsync();

        Assert.Equal(new[] { shown.Id, recent.Id }.Order(), (await Store.ListAsync(user.UserId)).Select(f => f.Id).Order());
        Assert.Empty(await Store.ListAsync(other.UserId));
        Assert.Equal(2, first.GetProperty("unsent_files_deleted").GetInt32());
        Assert.Equal(0, second.GetProperty("unsent_files_deleted").GetInt32());
        using var stillShown = await _app.CreateClient().GetAsync(shown.Url);
        Assert.Equal(HttpStatusCode.OK, stillShown.StatusCode);
    }

    [Fact]
    public async Task The_sweep_waits_for_a_send_attaching_an_old_unsent_image_and_keeps_it()
    {
        var user = NewUser();
        var upload = await UploadAsync(user, TestImages.Jpeg(100, 100), "image/jpeg");
        await SweepAsync();
        await MakeOldAsync(upload.Id);

        JsonElement swept;
        await using (var held = await HeldOwnerLock.TakeAsync(user.UserId))
        {
            var sweep = SweepAsync();
            Assert.True(await held.WaitedForByAsync(1, sweep), "the sweep deleted the owner's images without the owner's lock");

            // What a send's attach does while it holds the lock.
            await held.ExecuteAsync(
                "INSERT INTO copilot_file_refs (file_id, session_id, owner_id) VALUES (@id, gen_random_uuid(), @owner)", upload.Id);
            await held.ReleaseAsync();
            swept = await sweep;
        }

        Assert.NotNull(await Store.FindAsync(user.UserId, upload.Id));
        Assert.Equal(0, swept.GetProperty("unsent_files_deleted").GetInt32());
    }

    private V1Client NewUser() => new(_app.CreateClient(), Guid.NewGuid());

    private static async Task<(Guid Id, string Url)> UploadAsync(V1Client user, byte[] image, string mediaType)
    {
        var upload = await FilesTests.UploadRawAsync(user, image, mediaType);
        Assert.Equal(HttpStatusCode.Created, upload.Status);
        return (upload.Body.GetProperty("id").GetGuid(), upload.Body.GetProperty("url").GetString()!);
    }

    /// <summary>Moves the images' stored time two days back: past the default day of the unsent lifetime.</summary>
    private static async Task MakeOldAsync(params Guid[] fileIds)
    {
        foreach (var id in fileIds)
        {
            Assert.Equal(
                [id],
                await Sql.ColumnAsync<Guid>("UPDATE copilot_files SET created_at = created_at - interval '2 days' WHERE id = @id RETURNING id", id));
        }
    }

    private async Task<JsonElement> SweepAsync()
    {
        var (status, body) = await AdminCalls.SendAsync(_app.CreateClient(), HttpMethod.Get, SweepTests.SweepPath, ExpiryApp.CronSecret);
        Assert.Equal(HttpStatusCode.OK, status);
        return JsonDocument.Parse(body).RootElement;
    }
}
