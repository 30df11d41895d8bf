using Copilot.Silo;

return await SiloHost.RunAsync(args);

/// <summary>The entry point, visible to the tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
