using System.Buffers;
using System.Text;
using Copilot.Api.Shared;
using Copilot.Grains;
using Copilot.Grains.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Copilot.Api.Seed;

/// <summary>Streams a turn's reply as plain text, the way the seed's panel reads it: the text as it arrives, then
/// <c>\n\n[SESSION_ID:&lt;uuid&gt;]</c>. The session id also goes out as the <c>X-Session-Id</c> header, before the body.</summary>
/// <remarks>
/// If the client goes away the loop stops; the grain keeps generating and stores the whole reply.
/// Each write goes to the client at once, but no write goes out alone when it need not: the headers leave with the
/// first text (which the endpoint has already waited for), and the closing marker with the end of the response. A
/// reply that is ready at once thus costs two sends instead of four, which matters when the model is fast. After the
/// first text, what the model sends within <see cref="ApiOptions.StreamCoalesceWindow"/> goes out in one write.
/// </remarks>
internal sealed partial class PlainTextReply(ISessionGrain grain, Guid userId, TurnStarted turn, ReplyProgress first) : IResult
{
    public const string SessionIdHeader = "X-Session-Id";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        var gather = httpContext.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.StreamCoalesceWindow;
        var local = ReplyPolling.ReadsInPlace(httpContext.RequestServices);
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-cache";

        // Reverse proxies (nginx) must pass each chunk on as it comes.
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers[SessionIdHeader] = turn.Session.Id.ToString();
        try
        {
            var progress = first;
            while (!progress.Done)
            {
                await WriteAsync(response, progress.Text, aborted);
                progress = await ReplyPolling.NextAsync(local, grain, userId, turn.TurnId, progress.NextOffset, gather, aborted);
            }

            var ending = new StringBuilder(progress.Text);
            if (progress.Status is MessageStatus.Failed or MessageStatus.Interrupted)
            {
                ending.Append($"\n\n(The reply was cut short: {progress.ErrorCode ?? "error"}.)");
            }

            ending.Append($"\n\n[SESSION_ID:{turn.Session.Id}]");

            // Not flushed: the response ends right after, and ending it sends this together with the last chunk.
            response.BodyWriter.Write(Encoding.UTF8.GetBytes(ending.ToString()));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && aborted.IsCancellationRequested)
        {
            // The client left. The reply is still generated and stored by the session grain.
        }
        catch (Exception ex) when (response.HasStarted)
        {
            // Too late for a status code (an outage that outlasted the reads' retries): end the text as the panel reads
            // a cut reply, with the session's marker, so the conversation can be reloaded from where it is stored.
            LogStreamFailed(httpContext.RequestServices.GetRequiredService<ILogger<PlainTextReply>>(), ex, turn.TurnId);
            var ending = $"\n\n(The reply was cut short: {ErrorCodes.Unavailable}. The service keeps what it could store; reload the conversation to read it.)\n\n[SESSION_ID:{turn.Session.Id}]";
            await WriteAsync(response, ending, CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The plain-text stream of turn {TurnId} broke off")]
    private static partial void LogStreamFailed(ILogger logger, Exception exception, Guid turnId);

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        if (text.Length > 0)
        {
            // Writes into the body's pipe and flushes it: one flush per write, nothing more to flush after it.
            await response.WriteAsync(text, cancellationToken);
        }
    }
}
