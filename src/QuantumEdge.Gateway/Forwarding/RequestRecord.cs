using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// What the gateway learned about one request as it went through the path: who, what class,
/// where it went, how it ended. Holds no prompt or completion text.
/// </summary>
public sealed class RequestRecord
{
    public required string RequestId { get; init; }
    public required InferenceRoute Route { get; init; }
    public DateTimeOffset ReceivedAt { get; init; } = DateTimeOffset.UtcNow;
    public CallerIdentity? Caller { get; set; }
    public DataClassification Classification { get; set; } = DataClassification.Restricted;
    public string? Model { get; set; }
    public string? Backend { get; set; }
    public int Attempts { get; set; }
    public int Status { get; set; }
    /// <summary>"admitted", "refused:&lt;code&gt;", or "failed:&lt;kind&gt;" for an answer the backend broke off after it had started.</summary>
    public string Decision { get; set; } = "admitted";

    /// <summary>
    /// How the request ended, as its audit record and log line say it: the refusal or failure when
    /// there was one, else "completed" for a 2xx answer and "failed" for any other.
    /// </summary>
    public string OutcomeDecision =>
        Decision.StartsWith("refused:", StringComparison.Ordinal) || Decision.StartsWith("failed:", StringComparison.Ordinal) ? Decision
        : Status is >= 200 and < 300 ? AuditDecisions.Completed
        : AuditDecisions.Failed;
    public TokenUsage? Usage { get; set; }
    public double LatencyMs { get; set; }
    public double? TimeToFirstByteMs { get; set; }
    public string? SessionId { get; set; }
    /// <summary>Keyed hash (HMAC) of the prompt, for the audit trail; never the text.</summary>
    public string? PromptHmac { get; set; }
    /// <summary>Seq of the privacy charge's audit record, when the request was charged.</summary>
    public long? ChargeSeq { get; set; }
    /// <summary>
    /// A charge this request already holds (a resumed batch line whose charge was made before a crash): the
    /// privacy gate takes it over instead of charging again.
    /// </summary>
    public long? PriorChargeSeq { get; set; }
    /// <summary>ε the prior charge added (with <see cref="PriorChargeSeq"/>).</summary>
    public double PriorEpsilon { get; set; }
    /// <summary>ε this request added to its user's spend.</summary>
    public double EpsilonCharged { get; set; }
    /// <summary>True once any part of a backend's answer may have reached the client (a charge is then never released).</summary>
    public bool Disclosed { get; set; }
    /// <summary>Short machine-readable detail for the audit record (a refusal summary's count); never request content.</summary>
    public string? Detail { get; set; }
    /// <summary>True when the request's audit record was already written (a budget refusal is audited with the charge).</summary>
    public bool Audited { get; set; }
}
