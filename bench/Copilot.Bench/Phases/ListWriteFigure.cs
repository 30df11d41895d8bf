namespace Copilot.Bench.Phases;

/// <summary>WAL bytes one kind of change to a user's session list wrote, over a batch of such changes.</summary>
/// <param name="Change">create, rename or activity flush.</param>
/// <param name="Sessions">Sessions each user of the batch had.</param>
/// <param name="Changes">Changes in the batch.</param>
/// <param name="WalBytesPerChange">All WAL bytes, full-page images included, on average.</param>
/// <param name="WalRecordBytesPerChange">The median WAL bytes of the changes that wrote no full-page image, when images
/// can be told apart and some change wrote none.</param>
internal sealed record class ListWriteFigure(
    string Change, int Sessions, int Changes, double? WalBytesPerChange, double? WalRecordBytesPerChange);
