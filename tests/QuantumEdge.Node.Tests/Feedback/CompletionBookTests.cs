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

    [Fact]
    public void The_book_keeps_at_most_its_capacity_and_forgets_the_oldest_first()
    {
        var book = new CompletionBook(ledger: null!, capacity: 3);
        foreach (var id in new[] { "qe-a", "qe-b", "qe-c", "qe-d" })
        {
            book.RecordAdmitted(id, "dr.a", "clinical-7b");
            book.RecordFinished(id, answered: true);
        }

        Assert.Equal(3, book.Count);
        Assert.Equal(CompletionBook.ClaimOutcome.Unknown, book.TryClaim("qe-a", "dr.a", admin: false, out _, out _));
        foreach (var id in new[] { "qe-b", "qe-c", "qe-d" })
        {
            Assert.Equal(CompletionBook.ClaimOutcome.Claimed, book.TryClaim(id, "dr.a", admin: false, out var model, out _));
            Assert.Equal("clinical-7b", model);
        }
    }

    [Fact]
    public void A_request_that_ends_unanswered_still_counts_towards_the_window()
    {
        var book = new CompletionBook(ledger: null!, capacity: 3);
        foreach (var id in new[] { "qe-a", "qe-b", "qe-c", "qe-d" })
        {
            book.RecordAdmitted(id, "dr.a", "clinical-7b");
            book.RecordFinished(id, answered: id != "qe-b");
        }

        Assert.Equal(2, book.Count);
        Assert.Equal(CompletionBook.ClaimOutcome.Unknown, book.TryClaim("qe-a", "dr.a", admin: false, out _, out _));
        Assert.Equal(CompletionBook.ClaimOutcome.Unknown, book.TryClaim("qe-b", "dr.a", admin: false, out _, out _));
        Assert.Equal(CompletionBook.ClaimOutcome.Claimed, book.TryClaim("qe-c", "dr.a", admin: false, out _, out _));
        Assert.Equal(CompletionBook.ClaimOutcome.Claimed, book.TryClaim("qe-d", "dr.a", admin: false, out _, out _));
    }

    [Fact]
    public async Task A_rating_waiting_on_a_completion_that_is_forgotten_is_told_so()
    {
        var book = new CompletionBook(ledger: null!, capacity: 1);
        book.RecordAdmitted("qe-old", "dr.a", "clinical-7b");
        Assert.Equal(CompletionBook.ClaimOutcome.InFlight, book.TryClaim("qe-old", "dr.a", admin: false, out _, out var answered));

        book.RecordAdmitted("qe-new", "dr.a", "clinical-7b");

        Assert.False(await ((Task<bool>)answered!).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(CompletionBook.ClaimOutcome.Unknown, book.TryClaim("qe-old", "dr.a", admin: false, out _, out _));
        book.RecordFinished("qe-old", answered: true);
        Assert.Equal(1, book.Count);
    }

    [Fact]
    public void Users_and_models_are_held_once_and_let_go_with_their_last_completion()
    {
        var book = new CompletionBook(ledger: null!, capacity: 2);
        book.RecordAdmitted("qe-1", "dr.a", "clinical-7b");
        book.RecordAdmitted("qe-2", "dr.a", "clinical-7b");
        Assert.Equal((1, 1), book.InternedCounts);

        book.RecordAdmitted("qe-3", "dr.b", "radiology-13b");
        Assert.Equal((2, 2), book.InternedCounts);
        book.RecordAdmitted("qe-4", "dr.b", "radiology-13b");
        Assert.Equal((1, 1), book.InternedCounts);

        book.RecordFinished("qe-3", answered: false);
        book.RecordFinished("qe-4", answered: false);
        Assert.Equal(0, book.Count);
        Assert.Equal((0, 0), book.InternedCounts);

        // A number freed by one user is reused for the next without mixing them up.
        book.RecordAdmitted("qe-5", "dr.c", "clinical-7b");
        book.RecordFinished("qe-5", answered: true);
        Assert.Equal(CompletionBook.ClaimOutcome.Unknown, book.TryClaim("qe-5", "dr.a", admin: false, out _, out _));
        Assert.Equal(CompletionBook.ClaimOutcome.Claimed, book.TryClaim("qe-5", "dr.c", admin: false, out var model, out _));
        Assert.Equal("clinical-7b", model);
    }

    /// <summary>
    /// Every request passes through the book and is remembered for the next <c>capacity</c> requests: an
    /// object per completion lived just long enough to be promoted out of gen0 and slowed every collection.
    /// </summary>
    [Fact]
    public void Once_full_the_book_allocates_nothing_per_request()
    {
        const int capacity = 1000;
        var book = new CompletionBook(ledger: null!, capacity);
        var ids = Enumerable.Range(0, 5 * capacity).Select(_ => CompletionIds.NewId()).ToArray();
        var users = Enumerable.Range(0, 20).Select(i => $"dr.{i}").ToArray();
        for (var i = 0; i < 2 * capacity; i++)
        {
            book.RecordAdmitted(ids[i], users[i % users.Length], "clinical-7b");
            book.RecordFinished(ids[i], answered: i % 10 != 0);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 2 * capacity; i < ids.Length; i++)
        {
            book.RecordAdmitted(ids[i], users[i % users.Length], "clinical-7b");
            book.RecordFinished(ids[i], answered: i % 10 != 0);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(CompletionBook.ClaimOutcome.Claimed, book.TryClaim(ids[^1], users[(ids.Length - 1) % users.Length], admin: false, out _, out _));
        // Answered, and more than `capacity` requests ago: forgotten.
        Assert.Equal(CompletionBook.ClaimOutcome.Unknown, book.TryClaim(ids[(4 * capacity) - 1], users[((4 * capacity) - 1) % users.Length], admin: false, out _, out _));
        Assert.Equal(CompletionBook.ClaimOutcome.Claimed, book.TryClaim(ids[(4 * capacity) + 1], users[((4 * capacity) + 1) % users.Length], admin: false, out _, out _));
    }

    /// <summary>
    /// Growing by doubling, the book allocated a larger ring and rehashed its dictionary at 2,048, 4,096, …
    /// completions: each a large-object allocation that set off a gen2 collection, and a rehash under the
    /// lock, on the request path. Past its first ring it now grows once, to its capacity.
    /// </summary>
    [Fact]
    public void Past_its_first_ring_the_book_grows_once_to_its_capacity()
    {
        const int capacity = 10 * CompletionBook.FirstRingSize;
        var book = new CompletionBook(ledger: null!, capacity);
        var ids = Enumerable.Range(0, capacity).Select(_ => CompletionIds.NewId()).ToArray();
        var users = Enumerable.Range(0, 20).Select(i => $"dr.{i}").ToArray();
        void Record(int i)
        {
            book.RecordAdmitted(ids[i], users[i % users.Length], "clinical-7b");
            book.RecordFinished(ids[i], answered: i % 10 != 0);
        }

        for (var i = 0; i < CompletionBook.FirstRingSize; i++)
        {
            Record(i);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        Record(CompletionBook.FirstRingSize);
        var growth = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = CompletionBook.FirstRingSize + 1; i < capacity; i++)
        {
            Record(i);
        }

        var afterGrowth = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(growth >= capacity * 16L, $"the growth past the first ring allocated {growth} bytes, less than a ring of {capacity} 128-bit ids");
        Assert.Equal(0, afterGrowth);
        Assert.Equal(CompletionBook.ClaimOutcome.Claimed, book.TryClaim(ids[1], users[1], admin: false, out _, out _));
        Assert.Equal(CompletionBook.ClaimOutcome.Claimed, book.TryClaim(ids[^1], users[(capacity - 1) % users.Length], admin: false, out _, out _));
        Assert.Equal(capacity - (capacity / 10), book.Count);
    }
}
