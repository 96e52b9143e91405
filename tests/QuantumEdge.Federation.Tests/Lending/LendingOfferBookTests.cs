using QuantumEdge.Federation.Lending;
using QuantumEdge.Federation.Payloads;

namespace QuantumEdge.Federation.Tests.Lending;

public sealed class LendingOfferBookTests
{
    private static FederationPayload Offer(bool offer, params string[] models) => new(null, null, new LendingOffer(offer, 4, models));

    [Fact]
    public void The_latest_envelope_decides_and_an_older_one_arriving_late_does_not_revive_an_offer()
    {
        var clock = new ManualClock(Samples.Now);
        var book = new LendingOfferBook(clock);
        using var key = Samples.Key(1);

        book.Record(Samples.Envelope(key, "hospital-b", 1, payload: Offer(true, "clinical-7b")));
        Assert.Equal(4, book.Offering("hospital-b", "clinical-7b")!.MaxConcurrencyPerPeer);
        Assert.Null(book.Offering("hospital-b", "other-model"));
        Assert.Null(book.Offering("hospital-c", "clinical-7b"));

        book.Record(Samples.Envelope(key, "hospital-b", 3, payload: FederationPayload.Empty));
        Assert.Null(book.Offering("hospital-b", "clinical-7b"));
        book.Record(Samples.Envelope(key, "hospital-b", 2, payload: Offer(true, "clinical-7b")));
        Assert.Null(book.Offering("hospital-b", "clinical-7b"));

        book.Record(Samples.Envelope(key, "hospital-b", 4, payload: Offer(false, "clinical-7b")));
        Assert.Null(book.Offering("hospital-b", "clinical-7b"));
    }

    [Fact]
    public void An_offer_expires_without_newer_envelopes_and_never_counts_for_a_quarantined_origin()
    {
        var clock = new ManualClock(Samples.Now);
        var quarantined = new HashSet<string>();
        var book = new LendingOfferBook(clock, quarantined.Contains);
        using var key = Samples.Key(1);
        book.Record(Samples.Envelope(key, "hospital-b", 1, payload: Offer(true, "clinical-7b")));

        quarantined.Add("hospital-b");
        Assert.Null(book.Offering("hospital-b", "clinical-7b"));
        quarantined.Clear();
        Assert.NotNull(book.Offering("hospital-b", "clinical-7b"));
        clock.Advance(LendingOfferBook.MaxAge + TimeSpan.FromSeconds(1));
        Assert.Null(book.Offering("hospital-b", "clinical-7b"));
    }
}
