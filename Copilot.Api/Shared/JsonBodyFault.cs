namespace Copilot.Api.Shared;

/// <summary>Why a request body could not be read as JSON.</summary>
internal enum JsonBodyFault
{
    None,

    TooLarge,

    Malformed,
}
