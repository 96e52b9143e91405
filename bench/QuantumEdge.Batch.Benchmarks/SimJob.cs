namespace QuantumEdge.Batch.Benchmarks;

/// <summary>One request in the simulation: interactive (LineId null) or a batch line.</summary>
internal sealed record SimJob(double ArrivalMs, int PromptTokens, int PrefixTokens, int OutputTokens, ulong PrefixKey, string? LineId)
{
    public bool IsBatch => LineId is not null;
}
