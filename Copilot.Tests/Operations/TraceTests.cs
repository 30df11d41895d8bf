using System.Diagnostics;
using System.Net;
using Copilot.Testing.Images;
using Copilot.Tests.Api.V1;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Copilot.Tests.Operations;

/// <summary>OTLP export of traces: one turn is one trace, from the HTTP request through the grain call to PostgreSQL and
/// the model call, with nothing of the message or the bearer token in it.</summary>
public sealed class TraceTests : IAsyncLifetime
{
    private OtlpReceiver _receiver = null!;
    private FakeOpenAIServer _model = null!;
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        _model = await FakeOpenAIServer.StartAsync();
        _app = await CopilotAppFactory.StartAsync(settings: _model.ServiceSettings(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", _receiver.Endpoint.ToString()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _model.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_turn_is_one_trace_from_the_http_request_through_the_grain_to_postgresql_and_the_model()
    {
        var user = new CopilotClient(_app.CreateClient(), Guid.NewGuid());
        var message = "trace probe " + Guid.NewGuid();

        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(message)).Status);

        var tracer = _app.Services.GetRequiredService<TracerProvider>();
        List<ReceivedSpan> trace = [];
        ReceivedSpan? server = null;
        await Eventually.HoldsAsync(
            () =>
            {
                tracer.ForceFlush();
                var spans = _receiver.Spans;

                // The listener sees every host in this process: other tests' turns are traced too, so the turn's trace is
                // the one holding a call to this test's model server.
                server = spans
                    .Where(s => s.Kind == 2 && s.Scope == "Microsoft.AspNetCore"
                        && s.Attributes.GetValueOrDefault("http.request.method") == "POST"
                        && s.Attributes.GetValueOrDefault("url.path") == "/api/copilot")
                    .FirstOrDefault(s => spans.Any(m => m.TraceId == s.TraceId && IsModelCall(m)));
                trace = server is null ? [] : [.. spans.Where(s => s.TraceId == server.TraceId)];
                return Task.FromResult(trace.Any(s => s.Scope == "Npgsql"));
            },
            "the turn's spans reach the receiver");

        var byId = trace.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        var database = trace.Where(s => s.Scope == "Npgsql").Select(s => Ancestors(s, byId)).First(chain => chain.Contains(server!));
        Assert.Contains(database, s => s.Scope.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
        Assert.Contains(server!, Ancestors(trace.First(IsModelCall), byId));
        foreach (var span in trace)
        {
            var text = span.Name + string.Join(' ', span.Attributes.Select(a => a.Key + "=" + a.Value));
            Assert.DoesNotContain(message, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Bearer", text, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeOpenAIServer.ServiceApiKey, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Share_link_tokens_and_file_link_signatures_never_reach_a_trace()
    {
        var user = new V1Client(_app.CreateClient(), Guid.NewGuid());
        var chat = Guid.NewGuid();
        await user.SendAsync(chat, "c-1", "Flashing around the chimney");
        var token = (await user.CallAsync(HttpMethod.Post, $"/v1/sessions/{chat}/shares")).Body.GetProperty("token").GetString()!;
        var fileUrl = (await FilesTests.UploadRawAsync(user, TestImages.Png(10, 10), "image/png")).Body.GetProperty("url").GetString()!;
        var signature = fileUrl.Split("sig=")[1];

        // Every request in one trace of the test's own, so that its spans are told from other tests' in this process.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var requests = new List<HttpRequestMessage>
        {
            new(HttpMethod.Get, "/s/" + token),
            new(HttpMethod.Get, "/v1/shares/" + token),
            new(HttpMethod.Get, "/V1/Shares/" + token),
            new(HttpMethod.Get, $"/v1/shares/{token}/files/{Guid.NewGuid()}?size=thumb"),
            new(HttpMethod.Get, fileUrl),
            user.NewRequest(HttpMethod.Delete, $"/v1/sessions/{chat}/shares/{token}"),
        };
        var statuses = new List<HttpStatusCode>();
        foreach (var request in requests)
        {
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var response = await user.Http.SendAsync(request);
            statuses.Add(response.StatusCode);
            request.Dispose();
        }

        var tracer = _app.Services.GetRequiredService<TracerProvider>();
        List<ReceivedSpan> servers = [];
        await Eventually.HoldsAsync(
            () =>
            {
                tracer.ForceFlush();
                servers = [.. _receiver.Spans.Where(s => s.TraceId == traceId && s.Kind == 2 && s.Scope == "Microsoft.AspNetCore")];
                return Task.FromResult(servers.Count == requests.Count);
            },
            "every request's span reaches the receiver");

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.OK, HttpStatusCode.NoContent],
            statuses);
        foreach (var span in _receiver.Spans.Where(s => s.TraceId == traceId))
        {
            var text = span.Name + string.Join(' ', span.Attributes.Select(a => a.Key + "=" + a.Value));
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(signature, text, StringComparison.Ordinal);
        }

        Assert.Contains(servers, s => s.Attributes.GetValueOrDefault("url.path") == "/s/{token}");
        Assert.Contains(servers, s => s.Attributes.GetValueOrDefault("url.path") == $"/v1/sessions/{chat}/shares/{{token}}");
    }

    private bool IsModelCall(ReceivedSpan span) => span.Kind == 3
        && span.Attributes.GetValueOrDefault("server.port") == _model.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The span and its parents up to the root (as far as they were received).</summary>
    private static List<ReceivedSpan> Ancestors(ReceivedSpan span, Dictionary<string, ReceivedSpan> byId)
    {
        var chain = new List<ReceivedSpan> { span };
        while (byId.TryGetValue(chain[^1].ParentSpanId, out var parent) && !chain.Contains(parent))
        {
            chain.Add(parent);
        }

        return chain;
    }
}
