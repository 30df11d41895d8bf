namespace Copilot.Tests.Fixtures.Postgres;

/// <summary>One stored row of a user's session list, as <see cref="Sql.UserSessionRowsAsync"/> reads it.</summary>
public sealed record class UserSessionRow(string Title, long MessageCount, int Version);
