namespace QuantumEdge.Ledger.Writing;

/// <summary>What a ledger writer needs to know about a queued operation to decide when to commit.</summary>
internal interface IQueuedWrite
{
    /// <summary>Runs alone, between group commits; never deferrable.</summary>
    bool IsExclusive { get; }

    /// <summary>Nobody waits on it: a group of only such writes may linger for companions before it commits.</summary>
    bool IsDeferrable { get; }
}
