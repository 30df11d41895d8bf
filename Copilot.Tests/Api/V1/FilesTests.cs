using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Copilot.Grains.Files;
using Copilot.Testing.Images;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using ImageMagick;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Api.V1;

/// <summary>Images: <c>POST /v1/files</c>, file parts in <c>POST /v1/chat</c>, signed links, and every refusal storing nothing.</summary>
[Collection(AppCollection.Name)]
public sealed class FilesTests(AppFixture fixture)
{
    private IFileStore Store => fixture.App.Services.GetRequiredService<IFileStore>();

    private V1Client NewUser() => new(fixture.App.CreateClient(), Guid.NewGuid());

    [Fact]
    public async Task A_raw_upload_answers_201_with_a_signed_link_and_the_same_bytes_give_the_same_file()
    {
        var user = NewUser();
        var jpeg = TestImages.Jpeg(3000, 1500);

        var first = await UploadRawAsync(user, jpeg, "image/jpeg");
        var again = await UploadRawAsync(user, jpeg, "image/jpeg");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, again.Status);
        Assert.Equal(first.Body.GetProperty("id").GetGuid(), again.Body.GetProperty("id").GetGuid());
        Assert.Equal("image/jpeg", first.Body.GetProperty("media_type").GetString());
        Assert.Equal(2048, first.Body.GetProperty("width").GetInt32());
        Assert.Equal(1024, first.Body.GetProperty("height").GetInt32());
        var url = first.Body.GetProperty("url").GetString()!;
        Assert.Matches($"^/v1/files/{first.Body.GetProperty("id").GetGuid()}\\?exp=\\d+&sig=[A-Za-z0-9_-]+$", url);
        Assert.Single(await Store.ListAsync(user.UserId));
    }

    [Fact]
    public async Task A_multipart_upload_stores_the_form_file()
    {
        var user = NewUser();
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(TestImages.Png(120, 80));
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(part, "file", "sketch.png");
        using var request = user.NewRequest(HttpMethod.Post, "/v1/files");
        request.Content = form;

        var answer = await V1Client.ReadAsync(await user.Http.SendAsync(request));

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.Equal("image/png", answer.Body.GetProperty("media_type").GetString());
        Assert.Equal(120, answer.Body.GetProperty("width").GetInt32());
    }

    [Theory]
    [InlineData("multipart/form-data", "--x\r\n")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nno closing boundary")]
    public async Task A_form_that_cannot_be_read_is_a_400_naming_the_file(string contentType, string body)
    {
        var user = NewUser();
        using var request = user.NewRequest(HttpMethod.Post, "/v1/files");
        request.Content = new StringContent(body);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var answer = await V1Client.ReadAsync(await user.Http.SendAsync(request));

        V1Client.AssertProblem(answer, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal(["file"], ErrorFields(answer.Body));
        Assert.Empty(await Store.ListAsync(user.UserId));
    }

    [Fact]
    public async Task A_phone_photo_comes_back_upright_without_gps_serial_or_any_other_metadata()
    {
        var user = NewUser();
        var upload = await UploadRawAsync(user, TestImages.PhonePhoto(), "image/jpeg");
        Assert.Equal(HttpStatusCode.Created, upload.Status);

        using var response = await user.Http.GetAsync(upload.Body.GetProperty("url").GetString());
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var served = new MagickImage(bytes);
        Assert.Equal((200u, 400u), (served.Width, served.Height));
        Assert.Null(served.GetExifProfile());
        Assert.Empty(served.ProfileNames);
        Assert.Equal(-1, bytes.AsSpan().IndexOf("SERIAL-0042"u8));
        var stored = Assert.Single(await Store.ListAsync(user.UserId));
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 9, 15, 0, TimeSpan.Zero), stored.CapturedAt);
    }

    [Fact]
    public async Task A_data_url_in_chat_reaches_the_model_and_the_history_links_the_image_for_an_img_tag()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var photo = TestImages.NoisyJpeg(1024, 768);
        Assert.True(photo.Length > 256 * 1024, "the photo must be over the text-only body limit");

        var events = await SendAsync(user, chatId, "what is in this photo?", File("image/jpeg", TestImages.DataUrl(photo, "image/jpeg"), "roof.jpg"));

        Assert.StartsWith("I received 1 image: 1,024×768 JPEG. ", V1Client.Text(events));
        var history = (await user.GetOkAsync($"/v1/sessions/{chatId}/messages")).GetProperty("data").EnumerateArray().ToList();
        var (reply, message) = (history[0], history[^1]);
        var parts = message.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal("assistant", reply.GetProperty("role").GetString());
        Assert.Equal(1, reply.GetProperty("metadata").GetProperty("usage").GetProperty("input_images").GetInt32());
        Assert.Equal("what is in this photo?", parts[0].GetProperty("text").GetString());
        Assert.Equal("file", parts[1].GetProperty("type").GetString());
        Assert.Equal("image/jpeg", parts[1].GetProperty("mediaType").GetString());
        Assert.Equal("roof.jpg", parts[1].GetProperty("filename").GetString());

        using var anonymous = fixture.App.CreateClient();
        var url = parts[1].GetProperty("url").GetString()!;
        using var image = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/jpeg", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", image.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(image.Headers.CacheControl is { Private: true } cache && cache.Extensions.Any(e => e.Name == "immutable"));
        Assert.NotNull(image.Headers.ETag);
        using var thumb = await anonymous.GetAsync(url + "&size=thumb");
        using var thumbnail = new MagickImage(await thumb.Content.ReadAsByteArrayAsync());
        Assert.Equal((256u, 192u), (thumbnail.Width, thumbnail.Height));
        using var tampered = await anonymous.GetAsync(url[..^2] + (url.EndsWith("AA", StringComparison.Ordinal) ? "BB" : "AA"));
        Assert.Equal(HttpStatusCode.NotFound, tampered.StatusCode);
    }

    [Fact]
    public async Task An_uploaded_file_can_be_sent_by_its_url_and_the_model_sees_every_image_of_the_message()
    {
        var user = NewUser();
        var upload = await UploadRawAsync(user, TestImages.Png(640, 480), "image/png");
        var chatId = Guid.NewGuid();

        var events = await SendAsync(
            user, chatId, "compare these",
            File("image/png", upload.Body.GetProperty("url").GetString()!),
            File("image/jpeg", TestImages.DataUrl(TestImages.Jpeg(300, 200), "image/jpeg")));

        Assert.StartsWith("I received 2 images: 640×480 PNG, 300×200 JPEG. ", V1Client.Text(events));
        Assert.Equal(2, (await Store.ListAsync(user.UserId)).Count);
    }

    [Fact]
    public async Task A_regenerate_sends_the_stored_images_again_and_an_edit_carries_the_images_it_names()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        await SendAsync(user, chatId, "what is this?", File("image/png", TestImages.DataUrl(TestImages.Png(640, 480), "image/png")));

        // regenerate() sends the message as the chat holds it; the stored images answer, whatever its parts say.
        var regenerated = await SendAsync(user, ChatBody(chatId, "what is this?", "regenerate-message"));
        var changedImage = await SendAsync(
            user, ChatBody(chatId, "what is this?", "submit-message", File("image/jpeg", TestImages.DataUrl(TestImages.Jpeg(300, 200), "image/jpeg"))));
        var shown = Assert.Single(FileParts(await LastUserMessageAsync(user, chatId)));
        var changedText = await SendAsync(user, ChatBody(chatId, "and now?", "submit-message", File("image/jpeg", shown.GetProperty("url").GetString()!)));

        Assert.StartsWith("I received 1 image: 640×480 PNG. ", V1Client.Text(regenerated));
        Assert.StartsWith("I received 1 image: 300×200 JPEG. ", V1Client.Text(changedImage));
        Assert.StartsWith("I received 1 image: 300×200 JPEG. ", V1Client.Text(changedText));
        var edited = await LastUserMessageAsync(user, chatId);
        Assert.Equal(3, edited.GetProperty("metadata").GetProperty("versions").GetArrayLength());
        Assert.Equal(shown.GetProperty("url").GetString(), Assert.Single(FileParts(edited)).GetProperty("url").GetString());
        Assert.Equal(2, (await Store.ListAsync(user.UserId)).Count);
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadImages => new()
    {
        { "png-declared-jpeg", "image/jpeg", HttpStatusCode.BadRequest, "invalid_image" },
        { "truncated", "image/jpeg", HttpStatusCode.BadRequest, "invalid_image" },
        { "broken-base64", "image/jpeg", HttpStatusCode.BadRequest, "invalid_image" },
        { "bomb", "image/jpeg", HttpStatusCode.RequestEntityTooLarge, "image_too_large" },
        { "svg", "image/svg+xml", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type" },
        { "external-url", "image/jpeg", HttpStatusCode.BadRequest, "invalid_request" },
        { "text-as-image", "image/png", HttpStatusCode.BadRequest, "invalid_image" },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task A_bad_image_in_chat_is_refused_with_its_code_and_nothing_is_stored(
        string kind, string mediaType, HttpStatusCode status, string code)
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var jpeg = TestImages.Jpeg(200, 100);
        var url = kind switch
        {
            "png-declared-jpeg" => TestImages.DataUrl(TestImages.Png(50, 50), "image/jpeg"),
            "truncated" => TestImages.DataUrl(TestImages.NoisyJpeg(300, 300)[..4000], "image/jpeg"),
            "broken-base64" => "data:image/jpeg;base64," + Convert.ToBase64String(jpeg)[..100] + "!!!" + Convert.ToBase64String(jpeg)[100..],
            "bomb" => TestImages.DataUrl(TestImages.Bomb(), "image/jpeg"),
            "svg" => TestImages.DataUrl("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8.ToArray(), "image/svg+xml"),
            "external-url" => "https://example.com/roof.jpg",
            _ => TestImages.DataUrl("not an image at all"u8.ToArray(), "image/png"),
        };

        using var response = await user.PostChatAsync(ChatBody(chatId, "look", File(mediaType, url)));

        V1Client.AssertProblem(await V1Client.ReadAsync(response), status, code);
        Assert.Empty(await Store.ListAsync(user.UserId));
        Assert.Equal(HttpStatusCode.NotFound, (await user.CallAsync(HttpMethod.Get, $"/v1/sessions/{chatId}")).Status);
    }

    [Fact]
    public async Task Another_users_file_is_not_found_in_chat_and_by_its_link_once_it_is_gone()
    {
        var owner = NewUser();
        var other = NewUser();
        var upload = await UploadRawAsync(owner, TestImages.Jpeg(100, 100), "image/jpeg");
        var url = upload.Body.GetProperty("url").GetString()!;

        using var response = await other.PostChatAsync(ChatBody(Guid.NewGuid(), "whose is this?", File("image/jpeg", url)));

        V1Client.AssertProblem(await V1Client.ReadAsync(response), HttpStatusCode.NotFound, "file_not_found");
        Assert.Empty(await Store.ListAsync(other.UserId));
    }

    [Fact]
    public async Task Refusals_of_uploads_have_stable_codes()
    {
        var user = NewUser();

        V1Client.AssertProblem(await UploadRawAsync(user, TestImages.Png(10, 10), "image/jpeg"), HttpStatusCode.BadRequest, "invalid_image");
        V1Client.AssertProblem(await UploadRawAsync(user, "plain text"u8.ToArray(), "text/plain"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        V1Client.AssertProblem(await UploadRawAsync(user, TestImages.Bomb(), "image/jpeg"), HttpStatusCode.RequestEntityTooLarge, "image_too_large");
        V1Client.AssertProblem(await UploadRawAsync(user, new byte[11 * 1024 * 1024], "image/jpeg"), HttpStatusCode.RequestEntityTooLarge, "file_too_large");
        Assert.Empty(await Store.ListAsync(user.UserId));
    }

    [Fact]
    public async Task The_whole_chat_may_come_with_a_send_but_the_message_keeps_its_limits()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        await SendAsync(user, chatId, "first question");

        // What the AI SDK's default transport sends: every message of the chat, here a 300 KiB reply among them.
        var history = new
        {
            id = chatId,
            messages = new object[]
            {
                new { id = "m-1", role = "user", parts = new[] { new { type = "text", text = "first question" } } },
                new { id = "a-1", role = "assistant", parts = new[] { new { type = "text", text = new string('r', 300 * 1024) } } },
                new { id = "m-2", role = "user", parts = new[] { new { type = "text", text = "next question" } } },
            },
            trigger = "submit-message",
        };
        var followUp = await SendAsync(user, history);
        using var tooLong = await user.PostChatAsync(V1Client.Body(Guid.NewGuid(), "m-1", new string('a', 300 * 1024)));
        var png = TestImages.DataUrl(TestImages.Png(10, 10), "image/png");
        using var many = await user.PostChatAsync(ChatBody(Guid.NewGuid(), "many", [.. Enumerable.Repeat(File("image/png", png), 5)]));

        Assert.Contains(followUp, e => e.Type == "finish");
        var newest = (await user.GetOkAsync($"/v1/sessions/{chatId}/messages")).GetProperty("data").EnumerateArray().First(m => m.GetProperty("role").GetString() == "user");
        Assert.Equal("next question", newest.GetProperty("parts")[0].GetProperty("text").GetString());
        var tooLongAnswer = await V1Client.ReadAsync(tooLong);
        V1Client.AssertProblem(tooLongAnswer, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal(["messages[0].parts"], ErrorFields(tooLongAnswer.Body));

        // The model gets at most Copilot:Sessions:ContextMaxImages (4) images a turn, so a message may carry no more.
        V1Client.AssertProblem(await V1Client.ReadAsync(many), HttpStatusCode.RequestEntityTooLarge, "too_many_files");
        Assert.Empty(await Store.ListAsync(user.UserId));
    }

    [Fact]
    public async Task A_refused_send_leaves_no_image_behind_or_leaves_it_with_the_chat_that_refused_it()
    {
        var owner = NewUser();
        var other = NewUser();
        var chatId = Guid.NewGuid();
        var kept = TestImages.DataUrl(TestImages.Png(30, 30), "image/png");
        await SendAsync(owner, chatId, "the ridge", File("image/png", kept));

        // Someone else's chat: 404, and the images it carried go again. The owner's chat with another persona: 409, and
        // its images stay with that chat (a send of the same message beside it could show them) until it is deleted.
        using var notTheirs = await other.PostChatAsync(ChatBody(chatId, "mine now", File("image/png", kept)));
        var wrongPersona = new
        {
            id = chatId,
            persona = "exec",
            messages = new[] { new { id = "m-9", role = "user", parts = (object[])[new { type = "text", text = "again" }, File("image/png", kept), File("image/png", TestImages.DataUrl(TestImages.Png(40, 40), "image/png"))] } },
        };
        using var mismatch = await owner.PostChatAsync(wrongPersona);

        V1Client.AssertProblem(await V1Client.ReadAsync(notTheirs), HttpStatusCode.NotFound, "session_not_found");
        V1Client.AssertProblem(await V1Client.ReadAsync(mismatch), HttpStatusCode.Conflict, "persona_mismatch");
        Assert.Empty(await Store.ListAsync(other.UserId));
        using var shown = await owner.Http.GetAsync(FileParts(await LastUserMessageAsync(owner, chatId)).Single().GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        var left = await Store.ListAsync(owner.UserId);
        Assert.Equal([30, 40], left.Select(f => f.Width).Order());
        foreach (var file in left)
        {
            Assert.Equal([chatId], await Sql.ColumnAsync<Guid>("SELECT session_id FROM copilot_file_refs WHERE file_id = @id", file.Id));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await owner.CallAsync(HttpMethod.Delete, $"/v1/sessions/{chatId}")).Status);
        Assert.Empty(await Store.ListAsync(owner.UserId));
    }

    [Theory]
    [InlineData("""{"type":"image","image":"data:image/png;base64,AAAA"}""", "messages[0].parts[1].type")]
    [InlineData("""{"text":"no type"}""", "messages[0].parts[1]")]
    [InlineData("\"just a string\"", "messages[0].parts[1]")]
    [InlineData("""{"type":"text","text":42}""", "messages[0].parts[1].text")]
    public async Task A_part_the_service_cannot_read_is_refused_not_dropped(string part, string field)
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var body = $$"""{"id":"{{chatId}}","messages":[{"id":"m-1","role":"user","parts":[{"type":"text","text":"look at this"},{{part}}]}]}""";

        using var response = await user.PostChatAsync(System.Text.Json.JsonDocument.Parse(body).RootElement);

        var answer = await V1Client.ReadAsync(response);
        V1Client.AssertProblem(answer, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal([field], ErrorFields(answer.Body));
        Assert.Equal(HttpStatusCode.NotFound, (await user.CallAsync(HttpMethod.Get, $"/v1/sessions/{chatId}")).Status);
    }

    [Fact]
    public async Task Deleting_a_session_deletes_its_images_but_keeps_one_another_session_shows()
    {
        var user = NewUser();
        var shared = await UploadRawAsync(user, TestImages.Jpeg(100, 100), "image/jpeg");
        var sharedUrl = shared.Body.GetProperty("url").GetString()!;
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        await SendAsync(user, first, "one", File("image/jpeg", sharedUrl), File("image/png", TestImages.DataUrl(TestImages.Png(20, 20), "image/png")));
        await SendAsync(user, second, "two", File("image/jpeg", sharedUrl));
        Assert.Equal(2, (await Store.ListAsync(user.UserId)).Count);

        Assert.Equal(HttpStatusCode.NoContent, (await user.CallAsync(HttpMethod.Delete, $"/v1/sessions/{first}")).Status);
        var left = Assert.Single(await Store.ListAsync(user.UserId));
        Assert.Equal(shared.Body.GetProperty("id").GetGuid(), left.Id);

        Assert.Equal(HttpStatusCode.NoContent, (await user.CallAsync(HttpMethod.Delete, $"/v1/sessions/{second}")).Status);
        Assert.Empty(await Store.ListAsync(user.UserId));
        using var gone = await fixture.App.CreateClient().GetAsync(sharedUrl);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private static List<string> ErrorFields(JsonElement problem) => [.. problem.GetProperty("errors").EnumerateObject().Select(e => e.Name)];

    internal static object File(string mediaType, string url, string? filename = null) => new { type = "file", mediaType, filename, url };

    internal static object ChatBody(Guid chatId, string text, params object[] files) => ChatBody(chatId, text, "submit-message", files);

    private static object ChatBody(Guid chatId, string text, string trigger, params object[] files) => new
    {
        id = chatId,
        messages = new[] { new { id = "m-1", role = "user", parts = (object[])[new { type = "text", text }, .. files] } },
        trigger,
    };

    internal static Task<List<SseEvent>> SendAsync(V1Client user, Guid chatId, string text, params object[] files) =>
        SendAsync(user, ChatBody(chatId, text, files));

    private static async Task<List<SseEvent>> SendAsync(V1Client user, object body)
    {
        using var response = await user.PostChatAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        return await reader.ReadToEndAsync();
    }

    private static async Task<JsonElement> LastUserMessageAsync(V1Client user, Guid chatId) =>
        (await user.GetOkAsync($"/v1/sessions/{chatId}/messages")).GetProperty("data").EnumerateArray().Last(m => m.GetProperty("role").GetString() == "user");

    private static IEnumerable<JsonElement> FileParts(JsonElement message) =>
        message.GetProperty("parts").EnumerateArray().Where(p => p.GetProperty("type").GetString() == "file");

    internal static async Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> UploadRawAsync(V1Client user, byte[] bytes, string mediaType)
    {
        using var request = user.NewRequest(HttpMethod.Post, "/v1/files");
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await V1Client.ReadAsync(await user.Http.SendAsync(request));
    }
}
