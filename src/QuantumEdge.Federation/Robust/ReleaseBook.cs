using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Envelopes;

namespace QuantumEdge.Federation.Robust;

/// <summary>
/// The latest release of every origin, fed from accepted envelopes (subscribe <see cref="Record"/>
/// to <c>EnvelopeIntake.Accepted</c>). Envelopes arrive in (epoch, seq) order per origin, so the
/// last one recorded is the newest. Thread-safe.
/// </summary>
public sealed class ReleaseBook
{
    private readonly object _gate = new();
    private readonly Dictionary<string, AggregateRelease> _latest = new(StringComparer.Ordinal);

    public void Record(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Payload.Release is not { } release)
        {
            return;
        }

        lock (_gate)
        {
            _latest[envelope.Origin] = release;
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
            return new Dictionary<string, AggregateRelease>(_latest, StringComparer.Ordinal);
        }
    }
}
