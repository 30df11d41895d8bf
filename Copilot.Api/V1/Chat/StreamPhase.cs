namespace Copilot.Api.V1.Chat;

/// <summary>The events of a reply's UI message stream, in the order they are sent. With the reply offset it makes the
/// SSE event id, so a stream can be resumed after any event.</summary>
internal enum StreamPhase
{
    /// <summary>Nothing sent yet.</summary>
    None,

    /// <summary><c>start</c>, carrying the assistant message id.</summary>
    Start,

    /// <summary><c>start-step</c>.</summary>
    StartStep,

    /// <summary><c>text-start</c>, sent with the first text.</summary>
    TextStart,

    /// <summary><c>text-delta</c>: its offset is where the reply text it ends with stops.</summary>
    TextDelta,

    /// <summary><c>text-end</c>.</summary>
    TextEnd,

    /// <summary><c>finish-step</c>.</summary>
    FinishStep,

    /// <summary><c>error</c>, when the reply failed or was interrupted.</summary>
    Error,

    /// <summary><c>finish</c>, carrying the message metadata.</summary>
    Finish,

    /// <summary><c>[DONE]</c>.</summary>
    Done,
}
