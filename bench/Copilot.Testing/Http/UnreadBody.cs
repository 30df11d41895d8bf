using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Copilot.Testing.Http;

/// <summary>An HTTP/1.1 request over a socket of its own whose body is written a block at a time only until the answer
/// arrives: a server that refuses the request without reading its body costs the client (and itself) a block; one
/// that reads it all first gets it all. A client library would either send the whole body before reading, or give up
/// on the answer once the server stops reading.</summary>
public static partial class UnreadBody
{
    private const int Block = 64 * 1024;

    /// <summary>Sends <paramref name="method"/> <paramref name="pathAndQuery"/> with <paramref name="headers"/> (written
    /// as given, Latin-1) and <paramref name="body"/>, and reads the answer's head and its body up to its error code.</summary>
    /// <exception cref="IOException">The connection ended before a status line.</exception>
    public static async Task<EarlyAnswer> SendAsync(
        Uri server,
        string method,
        string pathAndQuery,
        IEnumerable<KeyValuePair<string, string>> headers,
        byte[] body,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(body);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, cancellationToken);
        var stream = tcp.GetStream();
        var head = new StringBuilder($"{method} {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n");
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), cancellationToken);

        var answer = new StringBuilder();
        var reading = ReadAsync(stream, answer, cancellationToken);
        var sent = 0;
        try
        {
            while (sent < body.Length && !reading.IsCompleted)
            {
                var length = Math.Min(Block, body.Length - sent);
                await stream.WriteAsync(body.AsMemory(sent, length), cancellationToken);
                sent += length;
            }
        }
        catch (IOException)
        {
            // The server closed the connection without reading the rest: its answer may be here already.
        }

        try
        {
            await reading;
        }
        catch (IOException) when (answer.Length > 0)
        {
            // Reset after the answer: what arrived is the answer.
        }

        var text = answer.ToString();
        var status = StatusLine().Match(text);
        if (!status.Success)
        {
            throw new IOException($"No HTTP answer, only {text.Length} characters: {text[..Math.Min(text.Length, 100)]}");
        }

        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return new EarlyAnswer(
            int.Parse(status.Groups[1].Value, CultureInfo.InvariantCulture),
            end < 0 ? text[(status.Length)..] : text[status.Length..end].Trim(),
            end < 0 ? "" : text[(end + 4)..],
            sent);
    }

    /// <summary>The <c>code</c> of a JSON error body, or null.</summary>
    public static string? CodeOf(string body) => Code().Match(body) is { Success: true } code ? code.Groups[1].Value : null;

    /// <summary>Reads until the body's error code has arrived or the server closes the connection.</summary>
    private static async Task ReadAsync(NetworkStream stream, StringBuilder answer, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (!Code().IsMatch(answer.ToString()) && await stream.ReadAsync(buffer, cancellationToken) is > 0 and var read)
        {
            answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    [GeneratedRegex(@"^HTTP/1\.1 (\d{3}) [^\r\n]*\r\n")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"""code"":""([a-z_]+)""")]
    private static partial Regex Code();
}
