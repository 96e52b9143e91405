namespace QuantumEdge.Ledger;

/// <summary>When a ledger write's group commit may happen.</summary>
public enum CommitTiming
{
    /// <summary>Commit as soon as the writer gets to it: a caller waits on it (a charge before forwarding, an admin action).</summary>
    Immediate = 0,

    /// <summary>
    /// Nobody waits on it before answering (a request's outcome record, the release of an unanswered
    /// charge): while the writer holds only such writes it waits up to <see cref="LedgerOptions.DeferredCommitLinger"/>
    /// for more, so that many share one commit. Any immediate write, a full batch or shutdown commits them at once.
    /// Its task still completes only once it is durable.
    /// </summary>
    Deferrable = 1,
}
