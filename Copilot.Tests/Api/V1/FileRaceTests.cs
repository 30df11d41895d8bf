using System.Net;
using Copilot.Grains.Files;
using Copilot.Testing.Images;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Api.V1;

/// <summary>An image attached to a new message while the last session showing it is deleted: the owner's lock orders
/// the two, so either the image stays with the new message or the send is refused as if it had never been found. The
/// test holds the lock itself (<see cref="HeldOwnerLock"/>) to play each order.</summary>
[Collection(AppCollection.Name)]
public sealed class FileRaceTests(AppFixture fixture)
{
    private IFileStore Store => fixture.App.Services.GetRequiredService<IFileStore>();

    private V1Client NewUser() => new(fixture.App.CreateClient(), Guid.NewGuid());

    [Fact]
    public async Task An_image_attached_while_the_last_session_showing_it_is_released_stays_with_the_new_message()
    {
        var user = NewUser();
        var (fileId, shownIn) = await SentImageAsync(user);
        var newSession = Guid.NewGuid();

        IReadOnlyList<Guid> attached;
        int deleted;
        await using (var held = await HeldOwnerLock.TakeAsync(user.UserId))
        {
            var attach = Store.AttachAsync(user.UserId, newSession, [fileId]);
            Assert.True(await held.WaitedForByAsync(1, attach));
            var release = Store.ReleaseSessionAsync(user.UserId, shownIn);
            await held.WaitedForByAsync(2, release);
            await held.ReleaseAsync();
            (attached, deleted) = (await attach, await release);
        }

        Assert.Equal([fileId], attached);
        Assert.Equal(0, deleted);
        Assert.NotNull(await Store.FindAsync(user.UserId, fileId));
        Assert.Equal([newSession], await Sql.ColumnAsync<Guid>("SELECT session_id FROM copilot_file_refs WHERE file_id = @id", fileId));
    }

    [Fact]
    public async Task An_attach_of_an_image_deleted_since_the_send_found_it_is_refused_and_attaches_nothing()
    {
        var user = NewUser();
        var (goneId, shownIn) = await SentImageAsync(user);
        var keptId = (await FilesTests.UploadRawAsync(user, TestImages.Png(40, 40), "image/png")).Body.GetProperty("id").GetGuid();
        Assert.Equal(1, await Store.ReleaseSessionAsync(user.UserId, shownIn));
        var newSession = Guid.NewGuid();

        await Assert.ThrowsAsync<FileGoneException>(() => Store.AttachAsync(user.UserId, newSession, [keptId, goneId]));

        Assert.Empty(await Sql.ColumnAsync<Guid>("SELECT file_id FROM copilot_file_refs WHERE session_id = @id", newSession));
        Assert.NotNull(await Store.FindAsync(user.UserId, keptId));
    }

    [Fact]
    public async Task A_send_whose_uploaded_image_is_deleted_before_it_is_referenced_is_404_and_stores_nothing()
    {
        var user = NewUser();
        var upload = await FilesTests.UploadRawAsync(user, TestImages.Jpeg(100, 100), "image/jpeg");
        var uploadId = upload.Body.GetProperty("id").GetGuid();
        var chatId = Guid.NewGuid();
        var body = FilesTests.ChatBody(
            chatId,
            "and this one?",
            FilesTests.File("image/jpeg", upload.Body.GetProperty("url").GetString()!),
            FilesTests.File("image/png", TestImages.DataUrl(TestImages.Png(30, 30), "image/png")));

        HttpResponseMessage response;
        await using (var held = await HeldOwnerLock.TakeAsync(user.UserId))
        {
            // The send has found the upload (that check takes no lock) and waits to store the data URL's image or to
            // attach both. A deletion that took the lock first (the upload's lifetime ended, or the last session showing
            // it went) removes the upload meanwhile.
            var send = user.PostChatAsync(body);
            Assert.True(await held.WaitedForByAsync(1, send));
            await held.ExecuteAsync("DELETE FROM copilot_files WHERE id = @id AND owner_id = @owner", uploadId);
            await held.ReleaseAsync();
            response = await send;
        }

        using (response)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            V1Client.AssertProblem(await V1Client.ReadAsync(response), HttpStatusCode.NotFound, "file_not_found");
        }

        Assert.Empty(await Store.ListAsync(user.UserId));
        Assert.Empty(await Sql.ColumnAsync<Guid>("SELECT file_id FROM copilot_file_refs WHERE session_id = @id", chatId));
        Assert.Equal(HttpStatusCode.NotFound, (await user.CallAsync(HttpMethod.Get, $"/v1/sessions/{chatId}")).Status);
    }

    public static TheoryData<string> Deletions => ["release a session", "undo a refused send", "delete the owner"];

    [Theory]
    [MemberData(nameof(Deletions))]
    public async Task Every_deletion_of_an_owners_files_waits_for_the_owners_lock(string deletion)
    {
        var user = NewUser();
        var (fileId, shownIn) = await SentImageAsync(user);

        await using var held = await HeldOwnerLock.TakeAsync(user.UserId);
        var deleting = deletion switch
        {
            "release a session" => Store.ReleaseSessionAsync(user.UserId, shownIn),
            "undo a refused send" => Store.DetachAsync(user.UserId, shownIn, [fileId], [fileId]),
            _ => Store.DeleteOwnerAsync(user.UserId),
        };

        Assert.True(await held.WaitedForByAsync(1, deleting), "the deletion ran without the owner's lock");
        await held.ReleaseAsync();
        Assert.Equal(1, await deleting);
        Assert.Null(await Store.FindAsync(user.UserId, fileId));
    }

    /// <summary>An uploaded image and the session of the message that showed it.</summary>
    private static async Task<(Guid FileId, Guid SessionId)> SentImageAsync(V1Client user)
    {
        var upload = await FilesTests.UploadRawAsync(user, TestImages.Jpeg(100, 100), "image/jpeg");
        var sessionId = Guid.NewGuid();
        await FilesTests.SendAsync(user, sessionId, "what is this?", FilesTests.File("image/jpeg", upload.Body.GetProperty("url").GetString()!));
        return (upload.Body.GetProperty("id").GetGuid(), sessionId);
    }
}
