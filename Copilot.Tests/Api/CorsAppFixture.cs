using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Api;

/// <summary>An app that lists <see cref="AppOrigin"/> for CORS.</summary>
public sealed class CorsAppFixture() : ConfiguredAppFixture(new Dictionary<string, string?> { ["Copilot:Api:AllowedOrigins:0"] = AppOrigin })
{
    /// <summary>The web app's origin.</summary>
    public const string AppOrigin = "https://app.myroofgenius.example";
}
