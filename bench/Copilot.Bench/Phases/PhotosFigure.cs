namespace Copilot.Bench.Phases;

/// <summary>What a photo costs: a text turn, the same turn carrying one photo, and uploads of the photo alone.</summary>
/// <param name="PhotoBytes">The photo's size as sent (a JPEG straight from a camera is about this large).</param>
/// <param name="Width">The photo's width as sent, in pixels.</param>
/// <param name="Height">The photo's height as sent, in pixels.</param>
/// <param name="TextTurn">A <c>/v1/chat</c> turn of text alone in a new chat.</param>
/// <param name="PhotoTurn">The same turn with the photo as a data URL: checked, decoded, stripped, scaled, re-encoded,
/// stored once, and sent to the model.</param>
/// <param name="Upload">A <c>POST /v1/files</c> of the photo: the same processing and storage, without a turn.</param>
internal sealed record class PhotosFigure(
    long PhotoBytes, int Width, int Height, LoadFigure? TextTurn, LoadFigure? PhotoTurn, LoadFigure? Upload)
{
    /// <summary>Megabytes of photos (as sent) uploaded per second.</summary>
    public double? UploadMegabytesPerSecond => Upload?.PerSecond * PhotoBytes / 1_000_000;

    /// <summary>The silo's largest working set during the text turns' window, in bytes (null without the silo process).</summary>
    public long? PeakWorkingSetText { get; init; }

    /// <summary>The same during the photo turns' window.</summary>
    public long? PeakWorkingSetPhoto { get; init; }

    /// <summary>The same during the uploads' window.</summary>
    public long? PeakWorkingSetUpload { get; init; }
}
