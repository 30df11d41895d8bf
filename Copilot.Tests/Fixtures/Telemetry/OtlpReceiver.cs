using System.Collections.Concurrent;
using Copilot.Tests.Fixtures.ChatModels;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Copilot.Tests.Fixtures.Telemetry;

/// <summary>An OTLP/HTTP (protobuf) trace receiver on 127.0.0.1 that keeps every span it is sent.</summary>
/// <remarks>Decodes the few fields of <c>ExportTraceServiceRequest</c> the tests read, straight from the wire format
/// (opentelemetry-proto: resource_spans=1 → scope_spans=2 → scope=1 / spans=2).</remarks>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private WebApplication _app = null!;

    private OtlpReceiver()
    {
    }

    /// <summary>The base URL to configure as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    /// <summary>Starts a receiver on a free port of 127.0.0.1.</summary>
    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        (receiver._app, receiver.Endpoint) = await LoopbackServer.StartAsync(receiver.HandleAsync);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        if (context.Request.Path == "/v1/traces")
        {
            foreach (var resourceSpans in Messages(ByteString.CopyFrom(body.ToArray()), 1))
            {
                foreach (var scopeSpans in Messages(resourceSpans, 2))
                {
                    var scope = Messages(scopeSpans, 1).Select(s => Text(s, 1)).FirstOrDefault() ?? "";
                    foreach (var span in Messages(scopeSpans, 2))
                    {
                        _spans.Enqueue(ReadSpan(scope, span));
                    }
                }
            }
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
    }

    private static ReceivedSpan ReadSpan(string scope, ByteString span)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyValue in Messages(span, 9))
        {
            var value = Messages(keyValue, 2).Select(AnyValueText).FirstOrDefault() ?? "";
            attributes[Text(keyValue, 1) ?? ""] = value;
        }

        return new ReceivedSpan(
            scope,
            Hex(span, 1),
            Hex(span, 2),
            Hex(span, 4),
            Text(span, 5) ?? "",
            (int)Fields(span).Where(f => f.Number == 6).Select(f => (ulong)f.Value).FirstOrDefault(),
            attributes);
    }

    /// <summary>An AnyValue as text: string_value=1, bool_value=2, int_value=3, double_value=4.</summary>
    private static string AnyValueText(ByteString anyValue)
    {
        foreach (var (number, value) in Fields(anyValue))
        {
            return number switch
            {
                1 => ((ByteString)value).ToStringUtf8(),
                2 or 3 => ((ulong)value).ToString(System.Globalization.CultureInfo.InvariantCulture),
                4 => BitConverter.UInt64BitsToDouble((ulong)value).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => "",
            };
        }

        return "";
    }

    private static IEnumerable<ByteString> Messages(ByteString message, int number) =>
        Fields(message).Where(f => f.Number == number && f.Value is ByteString).Select(f => (ByteString)f.Value);

    private static string? Text(ByteString message, int number) => Messages(message, number).FirstOrDefault()?.ToStringUtf8();

    private static string Hex(ByteString message, int number) =>
        Convert.ToHexStringLower(Messages(message, number).FirstOrDefault()?.ToByteArray() ?? []);

    private static List<(int Number, object Value)> Fields(ByteString message)
    {
        var fields = new List<(int, object)>();
        var input = new CodedInputStream(message.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            object value = WireFormat.GetTagWireType(tag) switch
            {
                WireFormat.WireType.Varint => input.ReadUInt64(),
                WireFormat.WireType.Fixed64 => input.ReadFixed64(),
                WireFormat.WireType.Fixed32 => (ulong)input.ReadFixed32(),
                WireFormat.WireType.LengthDelimited => input.ReadBytes(),
                _ => throw new InvalidDataException($"Unexpected wire type in field {number}."),
            };
            fields.Add((number, value));
        }

        return fields;
    }
}
