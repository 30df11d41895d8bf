namespace Copilot.Tests.Fuzz;

/// <summary>The credentials a route takes.</summary>
public enum FuzzAuth
{
    /// <summary>A user's bearer token.</summary>
    User,

    /// <summary>The cron secret as a bearer token.</summary>
    Cron,
}
