using QuantumEdge.Gateway.Backends;
using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Gateway.Batch.Scheduling;

/// <summary>
/// The joint placement of selected batch lines on the backends with headroom, as one
/// <see cref="AssignmentProblem"/>: a variable per (line, backend that serves its model, permits its
/// class and has headroom); cost from <see cref="BatchLineCost"/> (speed, load, the prefix already in
/// the backend's cache); capacity = headroom; priority = deadline proximity; and every line that
/// shares a non-zero prefix key with an earlier selected line coupled to that group's first line with
/// weight 1, at κ = the mean cheapest cost, so a group is worth keeping on one backend.
/// </summary>
/// <remarks>
/// The bell_inequality_threshold does not apply here: it guards interactive affinity, where a shared
/// prefix is a fingerprint's guess. A batch line's key comes from its actual prefix, so equal keys are
/// a certain KV-cache reuse. The load term λ_b·L_b² (L_b = lines / headroom) with λ_b = κ·h_b/2 costs
/// about κ for the last slot of a backend: groups spread between backends, not within.
/// </remarks>
internal sealed class BatchPlacement
{
    private BatchPlacement(AssignmentProblem problem, IReadOnlyList<BatchLineDemand> lines, IReadOnlyList<BackendHeadroom> backends, int couplings)
    {
        Problem = problem;
        Lines = lines;
        Backends = backends;
        Couplings = couplings;
    }

    public AssignmentProblem Problem { get; }

    /// <summary>Task t of the problem is Lines[t].</summary>
    public IReadOnlyList<BatchLineDemand> Lines { get; }

    /// <summary>Backend b of the problem is Backends[b].</summary>
    public IReadOnlyList<BackendHeadroom> Backends { get; }

    public int Couplings { get; }

    /// <summary>Whether the line may run on the backend at all (model, classification).</summary>
    public static bool Eligible(BatchLineDemand line, Backend backend) =>
        backend.Serves(line.Model) && (line.Classification is not { } c || backend.Permits(c));

    /// <param name="lines">Selected lines, each with at least one eligible backend among <paramref name="open"/>.</param>
    /// <param name="open">Backends with headroom &gt; 0.</param>
    /// <param name="holders">Which backend holds which prefix.</param>
    /// <param name="now">The scheduling instant.</param>
    public static BatchPlacement Build(IReadOnlyList<BatchLineDemand> lines, IReadOnlyList<BackendHeadroom> open, PrefixHolders holders, DateTimeOffset now)
    {
        var builder = new AssignmentProblemBuilder(open.Count) { InterferenceResolution = 0 };
        var permitted = new List<PermittedBackend>(open.Count);
        var cheapestSum = 0.0;
        foreach (var line in lines)
        {
            permitted.Clear();
            var holder = holders.Holder(line.PrefixKey, now);
            var cheapest = double.PositiveInfinity;
            for (var b = 0; b < open.Count; b++)
            {
                var backend = open[b].Backend;
                if (Eligible(line, backend))
                {
                    var cost = BatchLineCost.Of(line.EstimatedTokens, backend, backend.Id == holder);
                    permitted.Add(new PermittedBackend(b, cost));
                    cheapest = Math.Min(cheapest, cost);
                }
            }

            cheapestSum += cheapest;
            var hoursLeft = Math.Max(1.0 / 60, (line.Deadline - now).TotalHours);
            builder.AddTask(permitted, 1.0, 1 / hoursLeft);
        }

        var kappa = cheapestSum / lines.Count;
        for (var b = 0; b < open.Count; b++)
        {
            builder.SetBackend(b, open[b].Headroom, kappa * open[b].Headroom / 2);
        }

        var leaders = new Dictionary<ulong, int>();
        var couplings = 0;
        for (var t = 0; t < lines.Count; t++)
        {
            var key = lines[t].PrefixKey;
            if (key == 0)
            {
                continue;
            }

            if (leaders.TryGetValue(key, out var leader))
            {
                builder.Couple(leader, t, 1.0);
                couplings++;
            }
            else
            {
                leaders[key] = t;
            }
        }

        builder.CoLocationStrength = kappa;
        return new BatchPlacement(builder.Build(), lines, open, couplings);
    }
}
