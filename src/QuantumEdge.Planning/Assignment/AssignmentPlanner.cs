using System.Diagnostics;
using System.Numerics;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// Plans task → backend assignments with ballistic SB on the factorised QUBO, decodes by argmax,
/// repairs capacities and polishes with 1-opt on the true objective, and returns the better of
/// that and the greedy baseline. A solve whose coherence stays under the threshold after its
/// continuations falls back to the greedy plan. The result always satisfies the hard constraints.
/// </summary>
public sealed class AssignmentPlanner
{
    private readonly WarmStartPool? _pool;

    public AssignmentPlanner(WarmStartPool? pool = null)
    {
        _pool = pool;
    }

    public AssignmentPlan Plan(AssignmentProblem problem, PlannerSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var clock = Stopwatch.StartNew();
        var greedy = GreedyAssigner.Build(problem);
        var greedyPlan = greedy.BackendOf;
        var greedyObjective = problem.Objective(greedyPlan);
        var feasible = problem.FitsCapacity(greedyPlan);
        bool ShouldStop() => cancellationToken.IsCancellationRequested || clock.Elapsed >= settings.TimeBudget;

        var qubo = new AssignmentQubo(problem, settings.PenaltyMultiplier);
        var (c0, dt) = qubo.Parameters(settings.TimeStepFactor);
        var width = Vector<float>.Count;
        var blocks = Math.Min(settings.Parallelism, (settings.Agents + width - 1) / width);
        var perBlock = (((settings.Agents + blocks - 1) / blocks) + width - 1) / width * width;
        var runners = Enumerable.Range(0, blocks).Select(_ => new AssignmentAgents(qubo, perBlock, (float)c0, (float)dt)).ToArray();
        var seeds = new List<int[]> { greedyPlan };
        if (_pool is not null)
        {
            seeds.AddRange(_pool.Matching(problem, settings.Agents / 2));
        }

        int[]? bestPlan = null;
        var bestObjective = double.PositiveInfinity;
        var coherence = 0.0;
        var continuations = 0;
        long steps = 0;
        var stepsThisRound = settings.StepsPerRound;
        for (var round = 0; ; round++)
        {
            var decoded = new (int[] Plan, double Objective)[blocks][];
            var roundSteps = new int[blocks];
            void Run(int b)
            {
                var runner = runners[b];
                runner.Initialise(new Random(unchecked((settings.Seed * 1_000_003) + (round * 7919) + (b * 104_729))), b == 0 ? seeds : []);
                roundSteps[b] = runner.Run(stepsThisRound, ShouldStop);
                decoded[b] = [.. Enumerable.Range(0, runner.Agents).Select(a => Polish(problem, runner.Decode(a), feasible))];
            }

            if (blocks == 1)
            {
                Run(0);
            }
            else
            {
                Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism }, Run);
            }

            steps += roundSteps.Sum();
            var all = decoded.SelectMany(d => d).ToArray();
            coherence = Coherence.Of([.. all.Select(d => d.Objective)]);
            foreach (var (plan, objective) in all)
            {
                if (objective < bestObjective && problem.IsComplete(plan) && (!feasible || problem.FitsCapacity(plan)))
                {
                    bestObjective = objective;
                    bestPlan = plan;
                }
            }

            if (coherence >= settings.CoherenceThreshold || continuations >= settings.MaxContinuations || ShouldStop())
            {
                break;
            }

            // Decoherence mitigation: a longer anneal, seeded with the best plan found so far.
            continuations++;
            stepsThisRound *= 2;
            if (bestPlan is not null)
            {
                seeds.Insert(0, bestPlan);
            }
        }

        var decoherent = coherence < settings.CoherenceThreshold;
        var useBifurcation = !decoherent && bestPlan is not null && bestObjective < greedyObjective - 1e-9;
        var chosen = useBifurcation ? bestPlan! : greedyPlan;
        var chosenObjective = useBifurcation ? bestObjective : greedyObjective;
        _pool?.Add(problem, chosen);
        var gain = greedyObjective == 0 ? 0 : (greedyObjective - chosenObjective) / Math.Abs(greedyObjective);
        return new AssignmentPlan(
            chosen,
            chosenObjective,
            bestPlan is null ? double.NaN : bestObjective,
            greedyObjective,
            gain,
            coherence,
            useBifurcation ? PlanOrigin.Bifurcation : PlanOrigin.Greedy,
            decoherent,
            problem.FitsCapacity(chosen),
            continuations,
            steps,
            perBlock * blocks,
            clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Capacity repair (when a feasible plan exists), then 1-opt on the true objective.</summary>
    private static (int[] Plan, double Objective) Polish(AssignmentProblem problem, int[] decoded, bool feasible)
    {
        var state = new AssignmentState(problem, decoded);
        if (feasible)
        {
            CapacityRepair.Repair(problem, state);
        }

        OneOptImprover.Improve(problem, state);
        return (state.BackendOf, problem.Objective(state.BackendOf));
    }
}
