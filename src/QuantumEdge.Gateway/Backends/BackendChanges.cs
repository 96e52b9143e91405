namespace QuantumEdge.Gateway.Backends;

/// <summary>What a reload did to the configured backends, by id.</summary>
public sealed record BackendChanges(IReadOnlyList<string> Added, IReadOnlyList<string> Changed, IReadOnlyList<string> Removed)
{
    /// <summary>True when the reload added, changed or removed any backend.</summary>
    public bool Any => Added.Count + Changed.Count + Removed.Count > 0;
}
