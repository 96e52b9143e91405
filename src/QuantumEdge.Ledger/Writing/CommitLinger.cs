namespace QuantumEdge.Ledger.Writing;

/// <summary>
/// How long a writer lets its next group of only deferrable writes wait for company. A group of
/// <see cref="LoadedGroupSize"/> or more writes means records arrive faster than commits go out: the
/// next such group then lingers <see cref="LoadedFactor"/> times as long, so that under load a commit's
/// fixed cost (fsyncs, the head file, LiteDB's checkpoint; a PostgreSQL round trip) is shared by more
/// records, and the first smaller group returns it to the configured linger. PostgreSQL's
/// <c>commit_delay</c> waits only while <c>commit_siblings</c> other transactions are active, for the
/// same reason. At one connection groups stay well below the threshold (13–21 records per group in
/// <c>bench/wrk</c>'s one-connection passes), so a lightly loaded node commits as before. Immediate writes never
/// linger, whatever the state. Used by one writer thread or loop at a time.
/// </summary>
internal sealed class CommitLinger(TimeSpan configured)
{
    /// <summary>The size of a group from which the next deferrable group lingers longer.</summary>
    public const int LoadedGroupSize = 64;

    /// <summary>How many times the configured linger a group lingers after a loaded one.</summary>
    public const int LoadedFactor = 4;

    private readonly TimeSpan _loaded = configured * LoadedFactor;
    private bool _isLoaded;

    /// <summary>The linger for the next group.</summary>
    public TimeSpan Next => _isLoaded ? _loaded : configured;

    /// <summary>Called with the size of each group the writer takes (before it commits it).</summary>
    public void Observe(int groupSize) => _isLoaded = groupSize >= LoadedGroupSize;
}
