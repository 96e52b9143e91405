using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Classification;

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
    /// <summary>"admitted", or "refused:&lt;code&gt;".</summary>
    public string Decision { get; set; } = "admitted";
    public TokenUsage? Usage { get; set; }
    public double LatencyMs { get; set; }
    public double? TimeToFirstByteMs { get; set; }
    public string? SessionId { get; set; }
    /// <summary>Keyed hash of the prompt, for the audit trail.</summary>
    public byte[]? PromptFingerprint { get; set; }
}
