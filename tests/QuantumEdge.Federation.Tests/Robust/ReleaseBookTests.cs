using QuantumEdge.Federation.Payloads;
using QuantumEdge.Federation.Robust;

namespace QuantumEdge.Federation.Tests.Robust;

public sealed class ReleaseBookTests
{
    [Fact]
    public void An_older_envelope_recorded_late_does_not_replace_a_newer_release()
    {
        using var key = Samples.Key(2);
        var book = new ReleaseBook();
        var newer = Samples.Envelope(key, "hospital-b", 2, payload: new FederationPayload(null, Samples.Release(scale: 2), null));
        var older = Samples.Envelope(key, "hospital-b", 1, payload: new FederationPayload(null, Samples.Release(scale: 1), null));
        book.Record(newer);
        book.Record(older);
        Assert.Equal(281, book.Latest()["hospital-b"].Cells[0].Requests);

        // A newer epoch wins whatever its seq.
        book.Record(Samples.Envelope(key, "hospital-b", 1, payload: new FederationPayload(null, Samples.Release(scale: 3), null), epoch: 2));
        Assert.Equal(421.5, book.Latest()["hospital-b"].Cells[0].Requests);

        // Envelopes without a release leave the last release in place.
        book.Record(Samples.Envelope(key, "hospital-b", 5, payload: FederationPayload.Empty, epoch: 2));
        Assert.Equal(421.5, book.Latest()["hospital-b"].Cells[0].Requests);
        book.Forget("hospital-b");
        Assert.Empty(book.Latest());
    }
}
