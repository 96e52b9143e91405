using Microsoft.Extensions.Logging;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// One structured log line per inference request, after its answer: ids, route, status, backend,
/// latency and the decision the audit record holds (completed, failed, refused:reason, failed:kind). Never the prompt, the
/// completion, the caller's token or user id: the audit ledger holds who asked, keyed and signed.
/// </summary>
internal static partial class RequestLogLine
{
    [LoggerMessage(EventId = 100, EventName = "request", Level = LogLevel.Information,
        Message = "request {RequestId} {Route} status={Status} backend={Backend} latency_ms={LatencyMs} decision={Decision} classification={Classification} model={Model} attempts={Attempts}")]
    public static partial void Write(ILogger logger, string requestId, string route, int status, string backend, double latencyMs, string decision,
        string classification, string model, int attempts);

    public static void Write(ILogger logger, RequestRecord record)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            Write(logger, record.RequestId, record.Route.MetricName(), record.Status, record.Backend ?? "-", Math.Round(record.LatencyMs, 2), record.OutcomeDecision,
                Classification.DataClassifications.Name(record.Classification), record.Model ?? "-", record.Attempts);
        }
    }
}
