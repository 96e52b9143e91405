using QuantumEdge.Node.Feedback;

namespace QuantumEdge.Node.Tests.Feedback;

/// <summary>The book's in-flight handling without a ledger: a rating that arrives before its answer is finished waits for it.</summary>
public sealed class CompletionBookTests
{
    // The ledger is read only by EnsureLoadedAsync, which these tests do not call.
    private readonly CompletionBook _book = new(ledger: null!);

    [Fact]
    public async Task A_rating_for_an_answer_still_in_flight_waits_for_it_and_may_then_claim()
    {
        _book.RecordAdmitted("qe-1", "dr.a", "clinical-7b");

        Assert.Equal(CompletionBook.ClaimOutcome.InFlight, _book.TryClaim("qe-1", "dr.a", admin: false, out _, out var answered));
        Assert.Equal(CompletionBook.ClaimOutcome.InFlight, _book.TryClaim("qe-1", "dr.a", admin: false, out _, out var again));
        Assert.Same(answered, again);
        Assert.False(answered!.IsCompleted);

        _book.RecordFinished("qe-1", answered: true);

        Assert.True(await (Task<bool>)answered);
        Assert.Equal(CompletionBook.ClaimOutcome.Claimed, _book.TryClaim("qe-1", "dr.a", admin: false, out var model, out _));
        Assert.Equal("clinical-7b", model);
        Assert.Equal(CompletionBook.ClaimOutcome.AlreadyRated, _book.TryClaim("qe-1", "dr.a", admin: false, out _, out _));
    }

    [Fact]
    public void A_request_that_ends_unanswered_is_forgotten_and_one_answered_with_no_waiter_can_be_claimed()
    {
        _book.RecordAdmitted("qe-refused", "dr.a", "clinical-7b");
        _book.RecordAdmitted("qe-answered", "dr.a", "clinical-7b");

        _book.RecordFinished("qe-refused", answered: false);
        _book.RecordFinished("qe-answered", answered: true);
        // A second end is ignored, as before.
        _book.RecordFinished("qe-answered", answered: false);

        Assert.Equal(CompletionBook.ClaimOutcome.Unknown, _book.TryClaim("qe-refused", "dr.a", admin: false, out _, out _));
        Assert.Equal(CompletionBook.ClaimOutcome.Unknown, _book.TryClaim("qe-answered", "dr.b", admin: false, out _, out _));
        Assert.Equal(CompletionBook.ClaimOutcome.Claimed, _book.TryClaim("qe-answered", "dr.a", admin: false, out _, out _));
    }
}
