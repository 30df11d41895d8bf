namespace Copilot.Grains.Personas;

/// <summary>The persona a session talks to. Stored and sent on the wire in lower case.</summary>
public enum PersonaRole
{
    /// <summary>Field technician: inspections, safety, technical guidance on site.</summary>
    Field,

    /// <summary>Project manager: planning, resources, schedules, coordination.</summary>
    Pm,

    /// <summary>Executive: strategy, market analysis, business guidance.</summary>
    Exec,
}
