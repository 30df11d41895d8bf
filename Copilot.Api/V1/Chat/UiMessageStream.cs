using System.Buffers;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Copilot.Api.Shared;
using Copilot.Api.V1.Messages;
using Copilot.Grains;
using Copilot.Grains.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Copilot.Api.V1.Chat;

/// <summary>Streams a turn's reply in the AI SDK's UI message stream protocol (v1): server-sent events whose data are
/// the chunks <c>start</c>, <c>start-step</c>, <c>text-start</c>, <c>text-delta</c>..., <c>text-end</c>,
/// <c>finish-step</c>, <c>error</c> (a failed or interrupted reply), <c>finish</c>, then <c>[DONE]</c>.</summary>
/// <remarks>
/// Each event's SSE id is a <see cref="StreamPosition"/>, so a client can resume after any event on any silo: the
/// session grain reads replies by character offset. If the client goes away the loop stops; the grain keeps
/// generating and stores the whole reply. After the first text, what the model sends within
/// <see cref="ApiOptions.StreamCoalesceWindow"/> goes out as one <c>text-delta</c> event in one write.
/// </remarks>
internal sealed partial class UiMessageStream(
    ISessionGrain grain, Guid userId, StreamPosition after, ReplyProgress? first = null) : IResult, IEndpointMetadataProvider
{
    public const string ContentType = "text/event-stream";

    /// <summary>The header that tells the AI SDK which protocol the stream speaks.</summary>
    public const string ProtocolHeader = "x-vercel-ai-ui-message-stream";

    /// <summary>The text part's id: a reply has one text part.</summary>
    public const string TextPartId = "text";

    /// <summary>The request header naming the last event a resuming client has.</summary>
    public const string LastEventIdHeader = "Last-Event-ID";

    // The events are not HTML: only what JSON itself requires is escaped, so the stream stays readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Guid _turnId = after.TurnId;
    private StreamPosition _sent = after;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var gather = httpContext.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.StreamCoalesceWindow;
        var local = ReplyPolling.ReadsInPlace(httpContext.RequestServices);
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var turnId = _turnId;
        try
        {
            var progress = first ?? await grain.ReadReplyAsync(userId, turnId, _sent.Offset, TimeSpan.Zero);
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.Headers.CacheControl = "no-cache";
            response.Headers[ProtocolHeader] = "v1";

            // Reverse proxies (nginx) must pass each event on as it comes.
            response.Headers["X-Accel-Buffering"] = "no";
            var events = new StringBuilder();
            Add(events, 0, StreamPhase.Start, w => w.WriteString("messageId", turnId.ToString()));
            Add(events, 0, StreamPhase.StartStep, null);
            while (true)
            {
                if (progress.Text.Length > 0)
                {
                    Add(events, 0, StreamPhase.TextStart, w => w.WriteString("id", TextPartId));
                    Add(events, progress.NextOffset, StreamPhase.TextDelta, w =>
                    {
                        w.WriteString("id", TextPartId);
                        w.WriteString("delta", progress.Text);
                    });
                }
                else if (events.Length == 0 && !progress.Done)
                {
                    // Nothing new within a poll: a comment keeps proxies from closing an idle connection.
                    events.Append(": keep-alive\n\n");
                }

                if (progress.Done)
                {
                    AddEnding(events, progress, json);
                    break;
                }

                await WriteAsync(response, events, aborted);
                progress = await ReplyPolling.NextAsync(local, grain, userId, turnId, progress.NextOffset, gather, aborted);
            }

            // Not flushed: the response ends right after, and ending it sends the last events.
            response.BodyWriter.Write(Encoding.UTF8.GetBytes(events.ToString()));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && aborted.IsCancellationRequested)
        {
            // The client left. The reply is still generated and stored by the session grain.
        }
        catch (Exception ex) when (response.HasStarted)
        {
            // Too late for a status code: say so in the stream; the client can resume once the service is back.
            LogStreamFailed(httpContext.RequestServices.GetRequiredService<ILogger<UiMessageStream>>(), ex, turnId);
            var events = new StringBuilder();
            // It repeats the last event's id, so a client resuming after it misses nothing.
            AppendEvent(events, _sent, w =>
            {
                w.WriteString("type", "error");
                w.WriteString("errorText", "The service is temporarily unavailable; resume the stream to read the rest of the reply.");
            });
            await WriteAsync(response, events, CancellationToken.None);
        }
    }

    /// <summary>Describes the stream for the OpenAPI document.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), [ContentType]));
    }

    private void AddEnding(StringBuilder events, ReplyProgress progress, JsonSerializerOptions json)
    {
        var end = progress.NextOffset;
        if (end > 0)
        {
            Add(events, end, StreamPhase.TextEnd, w => w.WriteString("id", TextPartId));
        }

        Add(events, end, StreamPhase.FinishStep, null);
        if (ErrorText(progress) is { } errorText)
        {
            Add(events, end, StreamPhase.Error, w => w.WriteString("errorText", errorText));
        }

        Add(events, end, StreamPhase.Finish, w =>
        {
            w.WriteString("finishReason", FinishReason(progress.Status));
            w.WritePropertyName("messageMetadata");
            JsonSerializer.Serialize(w, UiMessageMetadata.From(progress), json);
        });
        var done = new StreamPosition(_turnId, end, StreamPhase.Done);
        if (done > _sent)
        {
            events.Append("id: ").Append(done.ToString()).Append("\ndata: [DONE]\n\n");
            _sent = done;
        }
    }

    /// <summary>Appends the event at (<paramref name="offset"/>, <paramref name="phase"/>) unless the client already has it.</summary>
    private void Add(StringBuilder events, int offset, StreamPhase phase, Action<Utf8JsonWriter>? fields)
    {
        var position = new StreamPosition(_turnId, offset, phase);
        if (position <= _sent)
        {
            return;
        }

        AppendEvent(events, position, w =>
        {
            w.WriteString("type", ChunkType(phase));
            fields?.Invoke(w);
        });
        _sent = position;
    }

    private static void AppendEvent(StringBuilder events, StreamPosition id, Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        events.Append("id: ").Append(id.ToString()).Append("\ndata: ").Append(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).Append("\n\n");
    }

    private static async Task WriteAsync(HttpResponse response, StringBuilder events, CancellationToken cancellationToken)
    {
        if (events.Length > 0)
        {
            // Writes into the body's pipe and flushes it: one flush per write, nothing more to flush after it.
            await response.WriteAsync(events.ToString(), cancellationToken);
            events.Clear();
        }
    }

    private static string ChunkType(StreamPhase phase) => phase switch
    {
        StreamPhase.Start => "start",
        StreamPhase.StartStep => "start-step",
        StreamPhase.TextStart => "text-start",
        StreamPhase.TextDelta => "text-delta",
        StreamPhase.TextEnd => "text-end",
        StreamPhase.FinishStep => "finish-step",
        StreamPhase.Error => "error",
        StreamPhase.Finish => "finish",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "Not a chunk."),
    };

    private static string FinishReason(MessageStatus? status) => status switch
    {
        MessageStatus.Complete => "stop",
        MessageStatus.Stopped => "other",
        _ => "error",
    };

    private static string? ErrorText(ReplyProgress progress) => (progress.Status, progress.ErrorCode) switch
    {
        (_, ErrorCodes.StorageUnavailable) => "The reply could not be saved (storage unavailable); please try again.",
        (MessageStatus.Failed, var code) => $"The chat model failed ({code ?? ErrorCodes.ModelError}); what arrived is saved.",
        (MessageStatus.Interrupted, _) => "The reply was interrupted (the service restarted); what arrived is saved.",
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The UI message stream of turn {TurnId} failed after it started")]
    private static partial void LogStreamFailed(ILogger logger, Exception exception, Guid turnId);
}
