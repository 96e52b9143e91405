using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Detection.Benchmarks;

/// <summary>
/// The request path's classification step in process, with detection on and off: parse the chat
/// body as the gateway does, then <see cref="PhiScreen.Screen"/> for a request labelled public.
/// The difference is what detection adds to a request; the HTTP stack, planner and backend are
/// the same either way and are left out (on a 2-core box shared with builds, their noise is
/// larger than the difference).
/// </summary>
internal static class ScreenLatency
{
    internal static PhiScreen Screen(bool enabled, string action = "report") =>
        new(ConfigurationLoader.Parse($"security:\n  phi_detection:\n    enabled: {(enabled ? "true" : "false")}\n    action: {action}\n", "bench.yaml", _ => null),
            new GatewayMetrics(new CollectorRegistry()), NullLogger<PhiScreen>.Instance);

    /// <summary>One request through parsing and the screen; the record starts public each time.</summary>
    internal static void Request(PhiScreen screen, byte[] body)
    {
        var request = InferenceRequest.Parse(body, InferenceRoute.ChatCompletions);
        var record = new RequestRecord { RequestId = "bench", Route = InferenceRoute.ChatCompletions, Classification = DataClassification.Public };
        screen.Screen(request, record);
    }
}
