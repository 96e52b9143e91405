using QuantumEdge.Gateway.Classification;

namespace QuantumEdge.Gateway.Batch.Scheduling;

/// <summary>
/// One batch line waiting to run, as the scheduler sees it: no prompt text, only what placement needs.
/// </summary>
/// <param name="LineId">The executor's id of the line; unique among the lines it passes at once.</param>
/// <param name="Model">The model the line asks for; only backends serving it are considered.</param>
/// <param name="PrefixKey">A hash of the line's prompt prefix (0 = none): lines with the same key are co-located so the backend's KV cache serves the prefix once.</param>
/// <param name="EstimatedTokens">Prompt plus expected output tokens: the line's size in the cost model.</param>
/// <param name="Deadline">When the line's batch window closes; nearest deadlines go first.</param>
public sealed record BatchLineDemand(string LineId, string Model, ulong PrefixKey, int EstimatedTokens, DateTimeOffset Deadline)
{
    /// <summary>
    /// The line's data classification, when the executor knows it: the line is then only placed on
    /// backends that permit it. Null leaves that check to the pipeline, which refuses a forbidden backend.
    /// </summary>
    public DataClassification? Classification { get; init; }
}
