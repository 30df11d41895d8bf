using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;
using Copilot.Testing.Images;

namespace Copilot.Bench.Phases;

/// <summary>What a photo costs beside a text turn: three closed loops over <c>/v1</c>, one user per core, each operation by
/// a new user (so every photo is processed and stored, never found again by its hash) in a new chat. Each loop runs a
/// fixed number of operations, measured whole (<see cref="ClosedLoop.CountedAsync"/>): a photo takes a second or more,
/// and a time window would charge its edges' unfinished photos to the few it counts.</summary>
/// <remarks>The photo is a JPEG that compresses like a photo, about 1.5 MB as a phone makes them, larger than the
/// 2,048 px the service keeps, so every one is decoded, scaled and re-encoded.</remarks>
internal static class PhotosPhase
{
    /// <summary>The photo's size in pixels.</summary>
    public const uint Width = 2592;

    /// <summary>The photo's height in pixels.</summary>
    public const uint Height = 1944;

    /// <summary>The photo's size as sent, about: a phone's JPEG of this many pixels.</summary>
    public const long TargetBytes = 1_500_000;

    /// <summary>Text turns measured for each photo operation: a text turn is about twenty times cheaper.</summary>
    private const int TextTurnsPerPhoto = 10;

    private const string Question = "What is wrong with this roof?";

    public static async Task<PhotosFigure> RunAsync(ServiceTarget target, BenchSettings settings, CancellationToken cancellationToken)
    {
        var photo = TestImages.PhotoOfAbout(Width, Height, TargetBytes);
        var dataUrl = TestImages.DataUrl(photo, "image/jpeg");
        var http = new CopilotHttp(target);
        // A photo's processing holds a core for a while: more users than the machine's cores only queue.
        var users = Math.Min(settings.Users, Environment.ProcessorCount);
        // Two photos per second of --duration (4 for a --quick run), after a quarter as many unmeasured.
        var photos = Math.Max(4, (int)settings.Duration.TotalSeconds * 2);

        var peaks = new List<long?>();
        async Task<LoadFigure> LoopAsync(string name, string what, int operations, Func<Guid, Task> operation)
        {
            var probe = new WindowProbe(target.Wal, target.Cpu);
            var memory = target.Silo is { } silo ? new PeakWorkingSet(silo) : null;
            var result = await ClosedLoop.CountedAsync(
                users,
                Math.Max(1, operations / 4),
                operations,
                (_, _) => operation(Guid.NewGuid()),
                async () =>
                {
                    memory?.Start();
                    await probe.StartAsync();
                },
                async () =>
                {
                    await probe.EndAsync();
                    if (memory is not null)
                    {
                        await memory.StopAsync();
                    }
                },
                cancellationToken);
            peaks.Add(memory?.PeakBytes);
            return LoadFigure.From(name, what, users, result, probe);
        }

        var text = await LoopAsync("text turn", "a /v1/chat turn of text alone", photos * TextTurnsPerPhoto, user => http.ChatV1Async(user, Question, [], cancellationToken));

        // An image path's first operations cost more than the later ones (the heap grows, code tiers up): both are
        // warmed before either is measured, so that the one measured first does not carry it alone.
        Func<Guid, Task> photoTurn = user => http.ChatV1Async(user, Question, [("image/jpeg", dataUrl)], cancellationToken);
        Func<Guid, Task> upload = user => http.UploadAsync(user, photo, "image/jpeg", cancellationToken);
        foreach (var warm in new[] { photoTurn, upload })
        {
            await ClosedLoop.CountedAsync(users, Math.Max(1, photos / 4), 0, (_, _) => warm(Guid.NewGuid()), cancellationToken: cancellationToken);
        }

        var withPhoto = await LoopAsync("photo turn", "the same turn carrying the photo as a data URL", photos, photoTurn);
        var uploads = await LoopAsync("upload", "POST /v1/files of the photo", photos, upload);
        return new PhotosFigure(photo.LongLength, (int)Width, (int)Height, text, withPhoto, uploads)
        {
            PeakWorkingSetText = peaks[0],
            PeakWorkingSetPhoto = peaks[1],
            PeakWorkingSetUpload = peaks[2],
        };
    }
}
