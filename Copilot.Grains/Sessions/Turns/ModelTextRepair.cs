namespace Copilot.Grains.Sessions.Turns;

/// <summary>Makes a streamed reply storable chunk by chunk, so what is shown is what is stored (see
/// <see cref="StoredText"/>). A surrogate pair split across two chunks is a valid character: a high surrogate ending
/// one chunk is held until the next chunk says whether its low half follows.</summary>
internal sealed class ModelTextRepair
{
    private char? _heldHighSurrogate;

    /// <summary>The storable text of the next chunk.</summary>
    public string Next(string chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (_heldHighSurrogate is { } held)
        {
            chunk = held + chunk;
            _heldHighSurrogate = null;
        }

        if (chunk.Length > 0 && char.IsHighSurrogate(chunk[^1]))
        {
            _heldHighSurrogate = chunk[^1];
            chunk = chunk[..^1];
        }

        return StoredText.Repair(chunk);
    }

    /// <summary>What is left once the stream has ended: a held high surrogate had no low half.</summary>
    public string Flush()
    {
        var rest = _heldHighSurrogate is null ? "" : "\uFFFD";
        _heldHighSurrogate = null;
        return rest;
    }
}
