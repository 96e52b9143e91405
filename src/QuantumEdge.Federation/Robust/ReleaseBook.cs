using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Envelopes;

namespace QuantumEdge.Federation.Robust;

/// <summary>
/// The latest release of every origin, fed from accepted envelopes (subscribe <see cref="Record"/>
/// to <c>EnvelopeIntake.Accepted</c>). The intake accepts an origin's envelopes in (epoch, seq)
/// order, but listeners run outside its lock, so a release only replaces one from an older
/// envelope. Thread-safe.
/// </summary>
public sealed class ReleaseBook
{
    private readonly object _gate = new();
    private readonly Dictionary<string, (long Epoch, long Seq, AggregateRelease Release)> _latest = new(StringComparer.Ordinal);

    public void Record(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Payload.Release is not { } release)
        {
            return;
        }

        lock (_gate)
        {
            if (_latest.TryGetValue(envelope.Origin, out var held)
                && (held.Epoch > envelope.Epoch || (held.Epoch == envelope.Epoch && held.Seq >= envelope.Seq)))
            {
                return;
            }

            _latest[envelope.Origin] = (envelope.Epoch, envelope.Seq, release);
        }
    }

    /// <summary>Forgets an origin's release (e.g. when it is quarantined).</summary>
    public void Forget(string origin)
    {
        lock (_gate)
        {
            _latest.Remove(origin);
        }
    }

    public IReadOnlyDictionary<string, AggregateRelease> Latest()
    {
        lock (_gate)
        {
            return _latest.ToDictionary(p => p.Key, p => p.Value.Release, StringComparer.Ordinal);
        }
    }
}
