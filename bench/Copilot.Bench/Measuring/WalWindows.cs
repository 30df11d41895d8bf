namespace Copilot.Bench.Measuring;

/// <summary>The WAL of a series of windows, one operation each: every window's bytes, and the median of the windows
/// that logged no full-page image, which is what one operation writes.</summary>
/// <remarks>A record that carries a page image leaves out the data the image holds, so a window's bytes less its images
/// read low: after a checkpoint, or wherever operations insert into many index pages, most windows would. Windows
/// without an image are whole records only; their median also leaves out the windows that met a background write (the
/// WAL position is server-wide).</remarks>
internal sealed class WalWindows
{
    private readonly List<long> _bytes = [];
    private readonly List<long> _withoutImages = [];
    private long _images;
    private bool _imagesTold = true;

    /// <summary>Windows added.</summary>
    public int Count => _bytes.Count;

    /// <summary>Windows that logged no full-page image (none when images cannot be told apart).</summary>
    public int CountWithoutImages => _imagesTold ? _withoutImages.Count : 0;

    /// <summary>All bytes per window, images included, on average.</summary>
    public double? Mean => Count > 0 ? _bytes.Average() : null;

    /// <summary>Full-page image bytes per window on average, when they can be told apart.</summary>
    public double? ImagesMean => _imagesTold && Count > 0 ? (double)_images / Count : null;

    /// <summary>The median bytes of the windows that logged no full-page image, when images can be told apart and some
    /// window logged none.</summary>
    public double? MedianWithoutImages => CountWithoutImages > 0 ? Median(_withoutImages) : null;

    /// <summary>The smallest window.</summary>
    public long? Min => Count > 0 ? _bytes.Min() : null;

    /// <summary>The largest window.</summary>
    public long? Max => Count > 0 ? _bytes.Max() : null;

    /// <summary>Adds a window of <paramref name="bytes"/>, of which <paramref name="images"/> were full-page images
    /// (null when the WAL cannot be read record by record).</summary>
    public void Add(long bytes, long? images)
    {
        _bytes.Add(bytes);
        if (images is not { } told)
        {
            _imagesTold = false;
            return;
        }

        _images += told;
        if (told == 0)
        {
            _withoutImages.Add(bytes);
        }
    }

    /// <summary>Adds the window between two WAL positions, reading its full-page images from <paramref name="wal"/>.</summary>
    public async Task AddAsync(WalCounter wal, long from, long to) => Add(to - from, await wal.FullPageImageBytesAsync(from, to));

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    private static double Median(List<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2.0;
    }
}
