namespace QuantumEdge.Ledger.Budgets;

/// <summary>One request's privacy charge, with the metadata its audit record carries.</summary>
public sealed record ChargeRequest
{
    public required string UserId { get; init; }
    public string? Department { get; init; }
    public string? Role { get; init; }
    public required string RequestId { get; init; }
    public string? Classification { get; init; }
    public string? Model { get; init; }

    /// <summary>From <see cref="Crypto.PromptFingerprint"/>; never the prompt itself.</summary>
    public string? PromptHmac { get; init; }
}
