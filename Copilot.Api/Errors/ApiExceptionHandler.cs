using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Copilot.Api.Errors;

/// <summary>Turns exceptions that reach the pipeline into the error answers of <see cref="ApiErrors"/> (problem details from
/// <see cref="Problems"/> on <c>/v1</c>); never a stack trace.</summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, error) = ApiErrors.FromException(exception);
        if (status >= StatusCodes.Status500InternalServerError)
        {
            LogUnhandled(exception, httpContext.Request.Method, httpContext.Request.Path, status);
        }

        if (httpContext.Response.HasStarted)
        {
            return true;
        }

        if (Problems.AppliesTo(httpContext.Request))
        {
            await TypedResults.Problem(Problems.FromException(exception)).ExecuteAsync(httpContext);
            return true;
        }

        httpContext.Response.StatusCode = status;
        await httpContext.Response.WriteAsJsonAsync(error, cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed with {Status}")]
    private partial void LogUnhandled(Exception exception, string method, string path, int status);
}
