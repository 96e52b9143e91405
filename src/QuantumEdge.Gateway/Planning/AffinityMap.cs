using System.Numerics;

namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// Which backend last served a prompt prefix or a session, and when: a bounded, direct-mapped
/// table (a newer key simply evicts the one in its slot), so it never grows and never scans.
/// Entries older than the lifetime are ignored; the KV cache they stood for is likely gone.
/// </summary>
internal sealed class AffinityMap
{
    private readonly Lock _gate = new();
    private readonly Slot[] _slots;
    private readonly int _shift;
    private readonly long _lifetime;

    public AffinityMap(int capacity, long lifetimeTicks)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, capacity));
        _slots = new Slot[size];
        _shift = 64 - BitOperations.Log2((uint)size);
        _lifetime = lifetimeTicks;
    }

    /// <summary>A key for a session id, kept apart from prefix fingerprints by its top bit. 0 = none.</summary>
    public static ulong SessionKey(string? session)
    {
        if (string.IsNullOrEmpty(session))
        {
            return 0;
        }

        var hash = 14695981039346656037UL;
        foreach (var c in session)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash | (1UL << 63);
    }

    /// <summary>A key for a prompt-prefix fingerprint (0 = none).</summary>
    public static ulong PrefixKey(ulong fingerprint) => fingerprint & ~(1UL << 63);

    public void Record(ulong key, string backendId, long now)
    {
        if (key == 0)
        {
            return;
        }

        lock (_gate)
        {
            _slots[Index(key)] = new Slot(key, backendId, now);
        }
    }

    /// <summary>The backend that served the key within the lifetime, or null.</summary>
    public string? Lookup(ulong key, long now)
    {
        if (key == 0)
        {
            return null;
        }

        Slot slot;
        lock (_gate)
        {
            slot = _slots[Index(key)];
        }

        return slot.Key == key && now - slot.Stamp <= _lifetime ? slot.BackendId : null;
    }

    private int Index(ulong key) => (int)((key * 11400714819323198485UL) >> _shift);

    private readonly record struct Slot(ulong Key, string? BackendId, long Stamp);
}
