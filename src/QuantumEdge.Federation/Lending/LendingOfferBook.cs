using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Payloads;

namespace QuantumEdge.Federation.Lending;

/// <summary>
/// The lending offer in each origin's latest accepted envelope (subscribe <see cref="Record"/> to
/// <c>EnvelopeIntake.Accepted</c>): an envelope without one withdraws the offer. An offer counts
/// only while its envelope is younger than <see cref="MaxAge"/>, so a peer that stopped publishing
/// stops being borrowed from; a quarantined origin's offer never counts. Thread-safe.
/// </summary>
public sealed class LendingOfferBook(TimeProvider clock, Func<string, bool>? isQuarantined = null)
{
    /// <summary>How long an offer stays good without a newer envelope.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(15);

    private readonly Dictionary<string, (long Epoch, long Seq, DateTimeOffset CreatedAt, LendingOffer? Offer)> _latest = new(StringComparer.Ordinal);

    public void Record(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        lock (_latest)
        {
            if (_latest.TryGetValue(envelope.Origin, out var held)
                && (held.Epoch > envelope.Epoch || (held.Epoch == envelope.Epoch && held.Seq >= envelope.Seq)))
            {
                return;
            }

            _latest[envelope.Origin] = (envelope.Epoch, envelope.Seq, envelope.CreatedAt, envelope.Payload.Lending);
        }
    }

    /// <summary>The origin's current offer when it offers lending of <paramref name="model"/>, else null.</summary>
    public LendingOffer? Offering(string origin, string model)
    {
        lock (_latest)
        {
            return _latest.TryGetValue(origin, out var held)
                && held.Offer is { Offer: true, MaxConcurrencyPerPeer: > 0 } offer
                && clock.GetUtcNow() - held.CreatedAt <= MaxAge
                && offer.Models.Contains(model, StringComparer.Ordinal)
                && isQuarantined?.Invoke(origin) != true
                    ? offer
                    : null;
        }
    }
}
