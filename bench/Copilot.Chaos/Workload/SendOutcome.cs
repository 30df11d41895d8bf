namespace Copilot.Chaos.Workload;

/// <summary>What one send got back.</summary>
internal enum SendOutcome
{
    /// <summary>200 whose stream ended with its session marker: the message is acknowledged.</summary>
    Acknowledged,

    /// <summary>An HTTP answer other than an acknowledgement (409, 503, ...); see the status.</summary>
    Refused,

    /// <summary>200 whose stream broke before its marker.</summary>
    BrokenStream,

    /// <summary>No HTTP answer: the connection was refused or reset.</summary>
    NoAnswer,

    /// <summary>200 whose client left after the reply's first chunk, on purpose (<see cref="SendKind.Abandon"/>).</summary>
    Abandoned,

    /// <summary>No answer within the client timeout.</summary>
    Hang,
}
