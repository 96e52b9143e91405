using QuantumEdge.Gateway.Memory;

namespace QuantumEdge.Gateway.Tests.Memory;

public sealed class RequestBodyBudgetTests
{
    [Fact]
    public void Bodies_are_admitted_up_to_the_cap_and_the_one_that_would_cross_it_is_refused_taking_nothing()
    {
        var budget = new RequestBodyBudget(100);

        Assert.True(budget.TryReserve(60));
        Assert.True(budget.TryReserve(40));
        Assert.False(budget.TryReserve(1));
        Assert.Equal(100, budget.Held);

        budget.Release(40);
        Assert.True(budget.TryReserve(30));
        Assert.Equal(90, budget.Held);
    }

    [Fact]
    public void One_body_larger_than_the_cap_is_admitted_when_no_other_is_held()
    {
        var budget = new RequestBodyBudget(100);

        Assert.True(budget.TryReserve(150));
        Assert.False(budget.TryReserve(1));
        budget.Release(150);
        Assert.True(budget.TryReserve(1));
        Assert.False(budget.TryReserve(150));
    }

    [Fact]
    public void The_cap_is_a_sixteenth_of_the_memory_limit()
    {
        Assert.Equal(32L * 1024 * 1024, RequestBodyBudget.ForMemoryLimit(512.0 * 1024 * 1024).Capacity);
    }

    [Fact]
    public async Task Concurrent_reservations_never_hold_more_than_the_cap_and_all_come_back()
    {
        const long capacity = 1000;
        var budget = new RequestBodyBudget(capacity);
        long admitted = 0;
        long highest = 0;
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            var random = new Random(w);
            for (var i = 0; i < 20_000; i++)
            {
                var bytes = random.Next(1, 300);
                if (budget.TryReserve(bytes))
                {
                    Interlocked.Increment(ref admitted);
                    var held = budget.Held;
                    long seen;
                    while (held > (seen = Interlocked.Read(ref highest)) && Interlocked.CompareExchange(ref highest, held, seen) != seen)
                    {
                    }

                    budget.Release(bytes);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Equal(0, budget.Held);
        Assert.True(admitted > 10_000, $"only {admitted} admitted");
        // A reservation over the cap is undone at once, but another thread may read it in between:
        // at most one in-flight overshoot per thread beyond the cap.
        Assert.True(highest <= capacity + (8 * 300), $"held {highest}");
    }
}
