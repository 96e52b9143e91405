using System.Text.RegularExpressions;
using QuantumEdge.Node.Feedback;

namespace QuantumEdge.Node.Tests.Feedback;

public sealed partial class CompletionIdsTests
{
    [GeneratedRegex("^qe-[0-9a-f]{32}$")]
    private static partial Regex IdFormat();

    [Fact]
    public async Task Ids_stay_unique_across_refills_of_each_threads_random_pool_and_across_threads()
    {
        // 1,000 ids per thread cross several refills of a thread's pool (256 ids each): a slice used twice repeats an id.
        var perThread = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Enumerable.Range(0, 1_000).Select(_ => CompletionIds.NewId()).ToList())));
        var all = perThread.SelectMany(ids => ids).ToList();

        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        Assert.All(all, id => Assert.Matches(IdFormat(), id));
    }
}
