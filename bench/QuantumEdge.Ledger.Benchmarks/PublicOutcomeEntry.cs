using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.Benchmarks;

/// <summary>What the gateway records for an answered public request (see PrivacyLedgerGate.CompleteAsync): the record every benchmark here writes.</summary>
internal static class PublicOutcomeEntry
{
    public static AuditEntry Create(string requestId, string userId, string promptHmac) => new()
    {
        EventType = AuditEventType.Request,
        RequestId = requestId,
        UserId = userId,
        Role = "doctor",
        Department = "cardiology",
        Classification = "public",
        Backend = "vllm-a",
        Model = "clinical-7b",
        PromptTokens = 42,
        CompletionTokens = 128,
        HttpStatus = 200,
        LatencyMs = 1.234,
        Decision = AuditDecisions.Completed,
        EpsilonCharged = 0,
        PromptHmac = promptHmac,
    };
}
