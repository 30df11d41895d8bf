namespace Copilot.Tests.Fuzz;

/// <summary>One route of the HTTP surface, as the fuzzer attacks it.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, without query.</param>
/// <param name="Auth">The credentials a well-formed request carries.</param>
/// <param name="ValidBody">A well-formed JSON body for the route, or null when it takes none; the fuzzer mutates it.</param>
/// <param name="QueryNames">The query parameters the route reads; the fuzzer sends them odd values.</param>
public sealed record class FuzzRoute(HttpMethod Method, string Path, FuzzAuth Auth, string? ValidBody, IReadOnlyList<string> QueryNames)
{
    public override string ToString() => $"{Method} {Path}";
}
