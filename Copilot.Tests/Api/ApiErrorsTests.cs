using Copilot.Api.Errors;
using Copilot.Grains;
using Copilot.Grains.Shares;
using Copilot.Tests.Fixtures.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Copilot.Tests.Api;

public sealed class ApiErrorsTests
{
    // What Orleans throws when a new session's expiry reminder falls in the share of the reminder table that a silo
    // which has just joined is still loading: nothing was stored, and the caller is to retry.
    [Fact]
    public void A_reminder_service_still_loading_is_a_503_not_a_500()
    {
        var loading = new Orleans.Runtime.OrleansException(
            "Reminder Service is still initializing and it is taking a long time. Please retry again later.",
            new TimeoutException("The operation has timed out."));

        var fault = ApiErrors.FromException(loading);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, fault.Status);
        Assert.Equal(ErrorCodes.Unavailable, fault.Code);
    }

    [Fact]
    public void An_unknown_fault_is_a_500_that_names_no_detail()
    {
        var fault = ApiErrors.FromException(new Orleans.Runtime.OrleansException("something else"));

        Assert.Equal(StatusCodes.Status500InternalServerError, fault.Status);
        Assert.Equal(ErrorCodes.InternalError, fault.Code);
        Assert.DoesNotContain("something else", fault.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/s/{0}", "/s/{{token}}")]
    [InlineData("/v1/shares/{0}/files/0193a4c2-7d9e-7000-8000-000000000001", "/v1/shares/{{token}}/files/0193a4c2-7d9e-7000-8000-000000000001")]
    [InlineData("/v1/sessions/0193a4c2-7d9e-7000-8000-000000000002/shares/{0}", "/v1/sessions/0193a4c2-7d9e-7000-8000-000000000002/shares/{{token}}")]
    public async Task A_failed_request_is_logged_without_a_share_links_token(string pathFormat, string loggedFormat)
    {
        // A share read failing while PostgreSQL is away is logged as an error: the log must not hand out a working link.
        var token = ShareTokens.NewToken();
        var logger = new LogRecorder<ApiExceptionHandler>(LogLevel.Error);
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = string.Format(System.Globalization.CultureInfo.InvariantCulture, pathFormat, token);
        context.Response.Body = new MemoryStream();

        await new ApiExceptionHandler(logger).TryHandleAsync(context, new TimeoutException("storage unreachable"), CancellationToken.None);

        var logged = Assert.Single(logger.Messages);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.DoesNotContain(token, logged, StringComparison.Ordinal);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, loggedFormat, token), logged, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("22021", StatusCodes.Status500InternalServerError)] // a byte sequence PostgreSQL's text cannot hold
    [InlineData("42601", StatusCodes.Status500InternalServerError)] // a syntax error: a bug in a statement
    [InlineData("57P01", StatusCodes.Status503ServiceUnavailable)] // the server shutting down: try again
    [InlineData("53300", StatusCodes.Status503ServiceUnavailable)] // too many connections: try again
    public void A_database_error_is_an_outage_only_when_retrying_can_help(string sqlState, int status)
    {
        var error = new Npgsql.PostgresException("from the server", "ERROR", "ERROR", sqlState);

        Assert.Equal(status, ApiErrors.FromException(error).Status);
        Assert.Equal(status, ApiErrors.FromException(new Orleans.Runtime.OrleansException("wrapped", error)).Status);
    }
}
