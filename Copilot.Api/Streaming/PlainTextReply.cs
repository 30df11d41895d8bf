using Copilot.Grains.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Copilot.Api.Streaming;

/// <summary>Streams a turn's reply as plain text, the way the seed's panel reads it: the text as it arrives, then
/// <c>\n\n[SESSION_ID:&lt;uuid&gt;]</c>. The session id also goes out as the <c>X-Session-Id</c> header, before the body.</summary>
/// <remarks>If the client goes away the loop stops; the grain keeps generating and stores the whole reply.</remarks>
internal sealed class PlainTextReply(ISessionGrain grain, Guid userId, TurnStarted turn, ReplyProgress first) : IResult
{
    /// <summary>How long one poll of the grain waits for more text.</summary>
    public static readonly TimeSpan PollWait = TimeSpan.FromSeconds(5);

    /// <summary>The header carrying the session id.</summary>
    public const string SessionIdHeader = "X-Session-Id";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-cache";

        // Reverse proxies (nginx) must pass each chunk on as it comes.
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers[SessionIdHeader] = turn.Session.Id.ToString();
        try
        {
            await response.StartAsync(aborted);
            var progress = first;
            await WriteAsync(response, progress.Text, aborted);
            while (!progress.Done)
            {
                progress = await grain.ReadReplyAsync(userId, turn.TurnId, progress.NextOffset, PollWait);
                await WriteAsync(response, progress.Text, aborted);
            }

            if (progress.Status is MessageStatus.Failed or MessageStatus.Interrupted)
            {
                await WriteAsync(response, $"\n\n(The reply was cut short: {progress.ErrorCode ?? "error"}.)", aborted);
            }

            await WriteAsync(response, $"\n\n[SESSION_ID:{turn.Session.Id}]", aborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && aborted.IsCancellationRequested)
        {
            // The client left. The reply is still generated and stored by the session grain.
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        if (text.Length > 0)
        {
            await response.WriteAsync(text, cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
    }
}
