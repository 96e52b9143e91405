using Microsoft.Extensions.Logging;
using Prometheus;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// The request-path step between parsing and admission that fails closed on content: a prompt
/// labelled below restricted whose text holds patient identifiers is upgraded to restricted,
/// refused, or reported, as <c>security.phi_detection.action</c> says. What it records (audit
/// detail, metric labels, log lines, the error) names entity types, never matched text.
/// </summary>
public sealed class PhiScreen
{
    private readonly PhiDetectionSettings _settings;
    private readonly PhiDetector _detector;
    private readonly Counter _detections;
    private readonly ILogger _logger;
    private readonly string _action;

    public PhiScreen(NodeConfiguration config, Telemetry.GatewayMetrics metrics, ILogger<PhiScreen> logger)
    {
        _settings = config.Security.PhiDetection;
        _detector = new PhiDetector(_settings);
        _logger = logger;
        _action = _settings.Action.ToString().ToLowerInvariant();
        _detections = NodeMetricFactory.For(metrics.Registry).CreateCounter("quantumedge_phi_detections_total",
            "Requests labelled below restricted whose prompt held patient identifiers, by entity type and the action taken (upgrade, refuse, report).",
            "entity", "action");
    }

    /// <summary>Screens a request whose classification is resolved; upgrades the record's classification or throws the 400 refusal.</summary>
    public void Screen(InferenceRequest request, RequestRecord record)
    {
        if (!_settings.Enabled || record.Classification == DataClassification.Restricted)
        {
            // Already treated as the most sensitive class: there is nothing to upgrade to.
            return;
        }

        var result = _detector.ScanJsonBody(request.SerializeBody());
        if (!result.Found)
        {
            return;
        }

        var entities = result.EntityList();
        foreach (var finding in result.Findings)
        {
            _detections.WithLabels(finding.Entity, _action).Inc();
        }

        var labelled = record.Classification.Name();
        var detail = $"phi_detected={entities};phi_action={_action};labelled={labelled}";
        record.Detail = record.Detail is null ? detail : $"{record.Detail};{detail}";
        _logger.LogWarning("request {RequestId}: prompt labelled {Classification} holds patient identifiers of type {Entities}; action {Action}",
            record.RequestId, labelled, entities, _action);
        switch (_settings.Action)
        {
            case PhiAction.Upgrade:
                record.Classification = DataClassification.Restricted;
                break;
            case PhiAction.Refuse:
                throw new GatewayError(400, "invalid_request_error", "phi_detected",
                    $"the prompt is labelled {labelled} but appears to hold patient identifiers ({entities}); send it labelled restricted, or without them");
        }
    }
}
