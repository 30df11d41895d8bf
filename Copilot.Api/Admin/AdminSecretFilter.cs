using System.Security.Cryptography;
using System.Text;
using Copilot.Api.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Copilot.Api.Admin;

/// <summary>Admin calls need <c>Authorization: Bearer &lt;Copilot:Admin:CronSecret&gt;</c>: 401 without it, and 404 when
/// no secret is configured (unlike the seed's cron route, an unset secret disables the calls instead of opening them).
/// Checked before anything of the request is read: no admin call binds its body, the webhook reads it itself.</summary>
internal sealed class AdminSecretFilter(IOptions<AdminOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var secret = options.Value.CronSecret;
        if (string.IsNullOrEmpty(secret))
        {
            return ApiErrors.RouteNotFound.ToResult(context.HttpContext.Request);
        }

        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes("Bearer " + secret)))
        {
            return ApiErrors.Unauthorized.ToResult(context.HttpContext.Request);
        }

        return await next(context);
    }
}
