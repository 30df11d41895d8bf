using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Copilot.Api.Errors;

/// <summary>Turns exceptions that reach the pipeline into the answers of <see cref="ApiErrors"/>, in the shape of the
/// surface asked; never a stack trace.</summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var fault = ApiErrors.FromException(exception);
        if (fault.Status >= StatusCodes.Status500InternalServerError)
        {
            // Never a share link's token: a log line must not be a working link to someone's conversation.
            LogUnhandled(exception, httpContext.Request.Method, ApiHosting.PathForTelemetry(httpContext.Request.Path), fault.Status);
        }

        if (!httpContext.Response.HasStarted)
        {
            await fault.AdviseOn(httpContext.Response).WriteAsync(httpContext);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed with {Status}")]
    private partial void LogUnhandled(Exception exception, string method, string path, int status);
}
