namespace Copilot.Api.Shared;

/// <summary>Why a request body could not be read as JSON.</summary>
public enum JsonBodyFault
{
    /// <summary>The body was read and parsed.</summary>
    None,

    /// <summary>The body is over the size limit.</summary>
    TooLarge,

    /// <summary>The body is not JSON.</summary>
    Malformed,
}
