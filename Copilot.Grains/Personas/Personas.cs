using System.Diagnostics.CodeAnalysis;

namespace Copilot.Grains.Personas;

/// <summary>The one place that knows each persona's wire name, display name and system prompt.</summary>
public static class Personas
{
    /// <summary>The persona used when a request names none.</summary>
    public const PersonaRole Default = PersonaRole.Field;

    /// <summary>The wire names accepted by the API, in display order.</summary>
    public static IReadOnlyList<string> WireNames { get; } = ["field", "pm", "exec"];

    /// <summary>The server-side system prompt for a persona.</summary>
    public static string SystemPrompt(PersonaRole role) => role switch
    {
        PersonaRole.Field =>
            "You are a field technician assistant for MyRoofGenius. Help with on-site roofing inspections, " +
            "safety protocols and technical guidance. Be concise and practical; put safety first.",
        PersonaRole.Pm =>
            "You are a project management assistant for MyRoofGenius. Help with project planning, resource " +
            "allocation, timeline management and team coordination for roofing projects.",
        PersonaRole.Exec =>
            "You are an executive assistant for MyRoofGenius. Provide strategic insights, market analysis and " +
            "high-level business guidance for roofing industry leaders.",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown persona."),
    };

    /// <summary>The persona's name as the panel shows it.</summary>
    public static string DisplayName(PersonaRole role) => role switch
    {
        PersonaRole.Field => "Field Technician",
        PersonaRole.Pm => "Project Manager",
        PersonaRole.Exec => "Executive",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown persona."),
    };

    /// <summary>The wire name of a persona: <c>field</c>, <c>pm</c> or <c>exec</c>.</summary>
    public static string ToWireName(this PersonaRole role) => WireNames[(int)role];

    /// <summary>Parses a wire name, exactly and in lower case as the panel sends it.</summary>
    public static bool TryParse(string? wireName, [NotNullWhen(true)] out PersonaRole? role)
    {
        for (var i = 0; i < WireNames.Count; i++)
        {
            if (string.Equals(WireNames[i], wireName, StringComparison.Ordinal))
            {
                role = (PersonaRole)i;
                return true;
            }
        }

        role = null;
        return false;
    }
}
