using System.Diagnostics.CodeAnalysis;
using QuantumEdge.Federation.Envelopes;

namespace QuantumEdge.Federation.Store;

/// <summary>
/// The latest accepted envelopes of every origin, kept in memory for relay and for reading the
/// newest release: at most <c>perOrigin</c> per origin, of its newest epoch only (an older epoch
/// is dropped when a newer one arrives). Thread-safe.
/// </summary>
public sealed class EnvelopeStore
{
    private readonly object _gate = new();
    private readonly int _perOrigin;
    private readonly Dictionary<string, OriginEnvelopes> _origins = new(StringComparer.Ordinal);

    public EnvelopeStore(int perOrigin = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perOrigin, 1);
        _perOrigin = perOrigin;
    }

    /// <summary>Adds an accepted envelope (the intake has already checked it is newer than what was held).</summary>
    public void Add(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        lock (_gate)
        {
            if (!_origins.TryGetValue(envelope.Origin, out var held) || envelope.Epoch > held.Epoch)
            {
                held = new OriginEnvelopes(envelope.Epoch);
                _origins[envelope.Origin] = held;
            }
            else if (envelope.Epoch < held.Epoch)
            {
                return;
            }

            held.BySeq[envelope.Seq] = envelope;
            while (held.BySeq.Count > _perOrigin)
            {
                held.BySeq.RemoveAt(0);
            }
        }
    }

    public bool TryGet(string origin, long epoch, long seq, [NotNullWhen(true)] out Envelope? envelope)
    {
        lock (_gate)
        {
            envelope = null;
            return _origins.TryGetValue(origin, out var held) && held.Epoch == epoch && held.BySeq.TryGetValue(seq, out envelope);
        }
    }

    /// <summary>The newest envelope held of <paramref name="origin"/>, or null.</summary>
    public Envelope? Latest(string origin)
    {
        lock (_gate)
        {
            return _origins.TryGetValue(origin, out var held) && held.BySeq.Count > 0 ? held.BySeq.Values[^1] : null;
        }
    }

    /// <summary>
    /// Envelopes of <paramref name="origin"/> a peer lacks, oldest first: those after
    /// <paramref name="afterSeq"/> in the held epoch, or all held when the peer's epoch is older.
    /// At most <paramref name="maxCount"/> envelopes and about <paramref name="maxBytes"/> bytes.
    /// </summary>
    public IReadOnlyList<Envelope> After(string origin, long? epoch, long afterSeq, int maxCount, int maxBytes)
    {
        lock (_gate)
        {
            if (!_origins.TryGetValue(origin, out var held) || (epoch is { } e && e > held.Epoch))
            {
                return [];
            }

            var from = epoch is { } peerEpoch && peerEpoch < held.Epoch ? 0 : afterSeq;
            var result = new List<Envelope>();
            var bytes = 0;
            foreach (var (seq, envelope) in held.BySeq)
            {
                if (seq <= from)
                {
                    continue;
                }

                if (result.Count >= maxCount || (result.Count > 0 && bytes + envelope.CanonicalBytes.Length > maxBytes))
                {
                    break;
                }

                result.Add(envelope);
                bytes += envelope.CanonicalBytes.Length;
            }

            return result;
        }
    }

    /// <summary>How many envelopes are held in all.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _origins.Values.Sum(o => o.BySeq.Count);
            }
        }
    }

    private sealed class OriginEnvelopes(long epoch)
    {
        public long Epoch { get; } = epoch;

        public SortedList<long, Envelope> BySeq { get; } = [];
    }
}
