namespace QuantumEdge.Planning.Remote;

/// <summary>
/// The part of the planner's share of a budget that a problem's transfer takes: encoding it, the
/// socket both ways and decoding it on the other side, learned from answered solves as time per
/// variable and subtracted from the budget the planner is sent, so that its answer arrives within
/// the node's wait. On an H200 host the transfer of a 26,211-variable problem took about 6 ms and of
/// a 52,547-variable one about 11 ms beyond the planner's own solve: with the whole 35 ms share as
/// its budget, every such answer came after the node's 40 ms wait and fell back to the CPU.
/// Problems under <see cref="MinVariables"/> variables cost a fixed fraction of a millisecond or two,
/// which the wait's slack covers, so they neither teach nor pay an allowance.
/// </summary>
internal sealed class IpcAllowance
{
    /// <summary>Smallest problem whose transfer is learned from and charged for.</summary>
    public const int MinVariables = 1_024;

    /// <summary>Weight of the newest observation in the moving average.</summary>
    private const double Weight = 0.25;

    private double _millisecondsPerVariable = double.NaN;
    private readonly object _gate = new();

    /// <summary>What a solve of <paramref name="variables"/> showed: its round trip and the planner's own solve time.</summary>
    public void Observe(int variables, double roundTripMs, double solveMs)
    {
        if (variables < MinVariables || !double.IsFinite(roundTripMs) || !double.IsFinite(solveMs))
        {
            return;
        }

        var sample = Math.Max(0, roundTripMs - solveMs) / variables;
        lock (_gate)
        {
            _millisecondsPerVariable = double.IsNaN(_millisecondsPerVariable) ? sample : _millisecondsPerVariable + (Weight * (sample - _millisecondsPerVariable));
        }
    }

    /// <summary>The time to keep back from <paramref name="remoteBudget"/> for a problem of <paramref name="variables"/>: at most half of it.</summary>
    public TimeSpan For(int variables, TimeSpan remoteBudget)
    {
        double perVariable;
        lock (_gate)
        {
            perVariable = _millisecondsPerVariable;
        }

        if (variables < MinVariables || double.IsNaN(perVariable))
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromMilliseconds(Math.Min(perVariable * variables, remoteBudget.TotalMilliseconds / 2));
    }
}
