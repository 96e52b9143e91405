using System.Text;
using Microsoft.Extensions.Logging;
using Prometheus;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Tests.Classification.PhiDetection;

public sealed class PhiScreenTests
{
    private const string Body = """{"model":"m","messages":[{"role":"user","content":"MRN 00483921, cell 617-555-0142"}]}""";

    private static (PhiScreen Screen, List<string> Log) Create(string action)
    {
        var config = ConfigurationLoader.Parse($"security:\n  phi_detection:\n    action: {action}\n", "t.yaml", _ => null);
        var log = new List<string>();
        return (new PhiScreen(config, new GatewayMetrics(new CollectorRegistry()), new ListLogger(log)), log);
    }

    private static RequestRecord Record(DataClassification c) => new() { RequestId = "r1", Route = InferenceRoute.ChatCompletions, Classification = c };

    private static InferenceRequest Request() => InferenceRequest.Parse(Encoding.UTF8.GetBytes(Body), InferenceRoute.ChatCompletions);

    [Fact]
    public void Upgrade_makes_the_request_restricted_and_records_types_not_values()
    {
        var (screen, log) = Create("upgrade");
        var record = Record(DataClassification.Public);
        screen.Screen(Request(), record);
        Assert.Equal(DataClassification.Restricted, record.Classification);
        Assert.Equal("phi_detected=mrn,phone;phi_action=upgrade;labelled=public", record.Detail);
        var line = Assert.Single(log);
        Assert.Contains("mrn,phone", line, StringComparison.Ordinal);
        Assert.DoesNotContain("00483921", line, StringComparison.Ordinal);
        Assert.DoesNotContain("0142", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuse_throws_phi_detected_without_values()
    {
        var (screen, _) = Create("refuse");
        var e = Assert.Throws<GatewayError>(() => screen.Screen(Request(), Record(DataClassification.Internal)));
        Assert.Equal(400, e.Status);
        Assert.Equal("phi_detected", e.Code);
        Assert.DoesNotContain("00483921", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_keeps_the_label_and_restricted_requests_are_not_scanned()
    {
        var (screen, log) = Create("report");
        var record = Record(DataClassification.Confidential);
        screen.Screen(Request(), record);
        Assert.Equal(DataClassification.Confidential, record.Classification);
        Assert.NotNull(record.Detail);
        var restricted = Record(DataClassification.Restricted);
        screen.Screen(Request(), restricted);
        Assert.Null(restricted.Detail);
        Assert.Single(log);
    }

    private sealed class ListLogger(List<string> lines) : ILogger<PhiScreen>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Add(formatter(state, exception));
    }
}
