using QuantumEdge.Planning.Remote;

namespace QuantumEdge.Planning.Tests.Remote;

public sealed class IpcAllowanceTests
{
    private static readonly TimeSpan Share = TimeSpan.FromMilliseconds(35);

    [Fact]
    public void Nothing_is_kept_back_before_a_large_problem_was_answered_or_for_small_problems()
    {
        var allowance = new IpcAllowance();
        Assert.Equal(TimeSpan.Zero, allowance.For(26_211, Share));

        allowance.Observe(26_211, roundTripMs: 43, solveMs: 36.6);
        Assert.Equal(TimeSpan.Zero, allowance.For(IpcAllowance.MinVariables - 1, Share));

        // Small problems teach nothing: their transfer is a fixed cost the wait's slack covers.
        var fresh = new IpcAllowance();
        fresh.Observe(100, roundTripMs: 13, solveMs: 11);
        Assert.Equal(TimeSpan.Zero, fresh.For(26_211, Share));
    }

    [Fact]
    public void The_transfer_is_learned_per_variable_and_scaled_to_the_problem()
    {
        // The H200 run: 26,211 variables answered in 43.4 ms round trip with 36.6 ms of solving.
        var allowance = new IpcAllowance();
        allowance.Observe(26_211, roundTripMs: 43.4, solveMs: 36.6);

        Assert.InRange(allowance.For(26_211, Share).TotalMilliseconds, 6.7, 6.9);
        Assert.InRange(allowance.For(52_547, Share).TotalMilliseconds, 13.5, 13.8);
    }

    [Fact]
    public void It_moves_towards_new_observations_and_never_keeps_back_more_than_half_the_share()
    {
        var allowance = new IpcAllowance();
        allowance.Observe(10_000, roundTripMs: 20, solveMs: 10);
        allowance.Observe(10_000, roundTripMs: 10, solveMs: 10);

        Assert.Equal(7.5, allowance.For(10_000, Share).TotalMilliseconds, 6);
        Assert.Equal(17.5, allowance.For(1_000_000, Share).TotalMilliseconds, 6);

        // A solve reported longer than its round trip is no negative transfer.
        allowance.Observe(10_000, roundTripMs: 5, solveMs: 30);
        Assert.Equal(5.625, allowance.For(10_000, Share).TotalMilliseconds, 6);
    }
}
