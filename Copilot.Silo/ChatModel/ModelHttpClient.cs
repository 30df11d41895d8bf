using System.Net.Sockets;
using System.Reflection;

namespace Copilot.Silo.ChatModel;

/// <summary>The HTTP client the OpenAI provider sends through: no redirects and timeouts left to the SDK's pipeline, as
/// the SDK's own client has them, no cookie jar (a model's API keeps no state in cookies), and connections whose reads
/// can complete on the thread that polls the sockets.</summary>
/// <remarks>
/// A model streams a token every few tens of milliseconds, and by default each read that completes is handed from the
/// runtime's socket thread to a thread-pool worker, which must be woken for it: two thread wakes per model chunk, on a
/// two-core machine most of a streamed reply's cost. A socket that prefers inline completions runs the read's
/// continuation on the socket thread itself. The runtime offers that process-wide (an environment variable), where
/// any synchronous wait on any socket's continuation would stop every socket of the process; here it is set on the
/// model's connections alone, whose continuations are the HTTP client's, the SSE parser's and the reply generator's
/// loop: appends to the turn and, when a reader of the reply is due for the text, that reader's write to its client;
/// never a synchronous wait. The turn's end is stored on the grain's scheduler.
/// The switch is the runtime's internal <c>Socket.PreferInlineCompletions</c>, which the runtime keeps for reflection
/// (its own comment calls it experimental); where it is missing the connections are ordinary ones.
/// </remarks>
internal static class ModelHttpClient
{
    private static readonly PropertyInfo? PreferInlineCompletions =
        typeof(Socket).GetProperty("PreferInlineCompletions", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>Whether this runtime lets a socket prefer inline completions.</summary>
    public static bool InlineReadsAvailable => PreferInlineCompletions?.SetMethod is not null;

    /// <summary>A client for the model; <paramref name="inlineReads"/> asks for connections whose reads complete inline.</summary>
    public static HttpClient Create(bool inlineReads)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        if (inlineReads && InlineReadsAvailable)
        {
            handler.ConnectCallback = ConnectInlineAsync;
        }

        // Timeouts are the SDK pipeline's (its network timeout) and the reply generator's (between chunks).
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static async ValueTask<Stream> ConnectInlineAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            PreferInlineCompletions!.SetValue(socket, true);
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
