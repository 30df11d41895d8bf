using System.Net;
using Copilot.Grains.Files;
using Copilot.Testing.Images;
using Copilot.Tests.Fixtures.Apps;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Api.V1;

/// <summary>Images uploaded and never sent stop holding the quota: an owner's upload deletes their unsent images older
/// than <c>Copilot:Files:UnsentFileLifetime</c>, and never one a message shows.</summary>
public sealed class UnsentFilesTests : IAsyncLifetime
{
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync() => _app = await CopilotAppFactory.StartAsync(
        settings: new Dictionary<string, string?> { ["Copilot:Files:UnsentFileLifetime"] = "00:00:00.001" });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_upload_deletes_the_owners_old_unsent_images_and_keeps_the_sent_ones_and_other_users()
    {
        var user = new V1Client(_app.CreateClient(), Guid.NewGuid());
        var other = new V1Client(_app.CreateClient(), Guid.NewGuid());
        var sent = await FilesTests.UploadRawAsync(user, TestImages.Jpeg(100, 100), "image/jpeg");
        await FilesTests.SendAsync(user, Guid.NewGuid(), "what is this?", FilesTests.File("image/jpeg", sent.Body.GetProperty("url").GetString()!));
        var unsent = await FilesTests.UploadRawAsync(user, TestImages.Png(40, 40), "image/png");
        var othersUnsent = await FilesTests.UploadRawAsync(other, TestImages.Png(40, 40), "image/png");
        var store = _app.Services.GetRequiredService<IFileStore>();
        Assert.Equal(2, (await store.ListAsync(user.UserId)).Count);

        var next = await FilesTests.UploadRawAsync(user, TestImages.Png(60, 60), "image/png");

        Assert.Equal(HttpStatusCode.Created, next.Status);
        Assert.Equal(
            new[] { sent.Body.GetProperty("id").GetGuid(), next.Body.GetProperty("id").GetGuid() }.Order(),
            (await store.ListAsync(user.UserId)).Select(f => f.Id).Order());
        using var gone = await _app.CreateClient().GetAsync(unsent.Body.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal([othersUnsent.Body.GetProperty("id").GetGuid()], (await store.ListAsync(other.UserId)).Select(f => f.Id));
    }

    [Fact]
    public async Task An_upload_of_an_image_already_stored_deletes_the_old_unsent_ones_too()
    {
        var user = new V1Client(_app.CreateClient(), Guid.NewGuid());
        var photo = TestImages.Jpeg(100, 100);
        var sent = await FilesTests.UploadRawAsync(user, photo, "image/jpeg");
        await FilesTests.SendAsync(user, Guid.NewGuid(), "what is this?", FilesTests.File("image/jpeg", sent.Body.GetProperty("url").GetString()!));
        await FilesTests.UploadRawAsync(user, TestImages.Png(40, 40), "image/png");
        var store = _app.Services.GetRequiredService<IFileStore>();

        var again = await FilesTests.UploadRawAsync(user, photo, "image/jpeg");

        Assert.Equal(sent.Body.GetProperty("id").GetGuid(), again.Body.GetProperty("id").GetGuid());
        Assert.Equal([sent.Body.GetProperty("id").GetGuid()], (await store.ListAsync(user.UserId)).Select(f => f.Id));
    }
}
