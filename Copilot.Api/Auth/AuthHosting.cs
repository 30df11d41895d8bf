using Copilot.Api.Errors;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Copilot.Api.Auth;

/// <summary>JWT bearer authentication: development tokens or the identity provider's, with the user id in <c>sub</c>.</summary>
internal static class AuthHosting
{
    /// <summary>Binds <c>Copilot:Auth</c> and sets up bearer-token validation for it.</summary>
    public static IHostApplicationBuilder AddCopilotAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .PostConfigure(o => o.JwtSecret = string.IsNullOrEmpty(o.JwtSecret) ? null : o.JwtSecret)
            .Validate(o => o.Mode is not null,
                $"{AuthOptions.ModeVariable} is not set: set it to Jwt (with Copilot__Auth__JwtSecret or Copilot__Auth__JwksUrl, " +
                $"and Copilot__Auth__Issuer) or, for a local trial only, to Development.")
            .Validate(o => o.Mode != AuthMode.Jwt || o.JwtSecret is not null || o.JwksUrl is not null,
                "Copilot:Auth:JwtSecret or Copilot:Auth:JwksUrl is required when Copilot:Auth:Mode is Jwt.")
            .Validate(o => o.Mode != AuthMode.Jwt || !string.IsNullOrWhiteSpace(o.Issuer),
                "Copilot:Auth:Issuer is required when Copilot:Auth:Mode is Jwt.")
            .Validate(o => o.JwtSecret is null || System.Text.Encoding.UTF8.GetByteCount(o.JwtSecret) >= 32,
                "Copilot:Auth:JwtSecret must be at least 32 bytes.")
            .Validate(o => o.JwksAlgorithms.Length > 0, "Copilot:Auth:JwksAlgorithms must name at least one algorithm.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Audience), "Copilot:Auth:Audience must not be empty.")
            .Validate(o => o.JwksUrl is null || !o.RequireHttpsMetadata || o.JwksUrl.Scheme == Uri.UriSchemeHttps || o.JwksUrl.IsLoopback,
                "Copilot:Auth:JwksUrl must be https (or set Copilot:Auth:RequireHttpsMetadata=false).")
            .ValidateOnStart();
        builder.Services.AddSingleton<DevelopmentTokens>();
        builder.Services.AddHostedService<DevelopmentBanner>();
        builder.Services.TryAddTimeProvider();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, DevelopmentTokens>(Configure);
        builder.Services.AddAuthorization();
        return builder;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }

    private static void Configure(JwtBearerOptions jwt, IOptions<AuthOptions> authOptions, DevelopmentTokens developmentTokens)
    {
        var options = authOptions.Value;
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = options.Mode == AuthMode.Development ? AuthOptions.DevelopmentIssuer : options.Issuer,
            ValidateAudience = true,
            ValidAudience = options.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = options.ClockSkew,
            NameClaimType = UserClaims.Subject,
        };
        if (options.Mode == AuthMode.Development)
        {
            jwt.TokenValidationParameters.IssuerSigningKey = developmentTokens.Key;
            jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
        else if (options.JwtSecret is not null)
        {
            // Supabase signs HS256 tokens with the UTF-8 bytes of its JWT secret.
            jwt.TokenValidationParameters.IssuerSigningKey =
                new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(options.JwtSecret));
            jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
        else
        {
            var requireHttps = options.RequireHttpsMetadata && !options.JwksUrl!.IsLoopback;
            jwt.RequireHttpsMetadata = requireHttps;
            jwt.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                options.JwksUrl!.AbsoluteUri,
                new JwksRetriever(),
                new HttpDocumentRetriever { RequireHttps = requireHttps });

            // A key is used only with the algorithm it declares: an RS256 key must not verify a PS256 or RS512 token.
            var undeclared = options.JwksAlgorithms;
            jwt.TokenValidationParameters.AlgorithmValidator = (algorithm, key, _, _) => key is JsonWebKey jwk &&
                (string.IsNullOrEmpty(jwk.Alg) ? undeclared.Contains(algorithm, StringComparer.Ordinal) : jwk.Alg == algorithm);
        }

        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (!Guid.TryParse(context.Principal?.FindFirst(UserClaims.Subject)?.Value, out _))
                {
                    context.Fail("The token's sub claim is not a UUID.");
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                // One answer for every token fault: which check failed is for the logs, not the caller.
                context.HandleResponse();
                context.Response.Headers.WWWAuthenticate = "Bearer";
                if (ApiFault.UsesProblems(context.Request))
                {
                    await ApiErrors.Unauthorized.ToProblem().ExecuteAsync(context.HttpContext);
                    return;
                }

                // The seed's own answer, without a code: its clients know no other.
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new ApiError(ApiErrors.Unauthorized.Text));
            },
        };
    }
}
