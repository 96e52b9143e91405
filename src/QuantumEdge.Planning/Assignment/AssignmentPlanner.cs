using System.Diagnostics;
using System.Numerics;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// Plans task → backend assignments with ballistic SB on the factorised QUBO and returns the
/// better of that and the greedy baseline. Every round, each agent's argmax plan is scored on the
/// true objective (cheap, allocation-free); only the best <see cref="PlannerSettings.PolishedAgents"/>
/// are repaired to capacity and polished with 1-opt. Coherence is measured on those argmax scores;
/// a decoherent solve is continued within its budget and counted, and returns the greedy plan only
/// when SB did not beat it (or when <see cref="PlannerSettings.FallBackWhenDecoherent"/> says so).
/// The result always satisfies the hard constraints.
/// </summary>
/// <remarks>
/// Buffers live in a workspace the planner keeps between calls, so a warm planner allocates
/// little more than the returned plan. Concurrent calls on one instance are safe: a call that finds
/// the workspace in use builds its own. As an <see cref="IAssignmentSolver"/> it is the CPU
/// solver: it runs on the caller's thread and completes synchronously.
/// </remarks>
public sealed class AssignmentPlanner : IAssignmentSolver
{
    private readonly WarmStartPool? _pool;
    private Workspace? _cached;

    public AssignmentPlanner(WarmStartPool? pool = null)
    {
        _pool = pool;
    }

    /// <inheritdoc/>
    public string Device => "cpu";

    /// <inheritdoc/>
    public ValueTask<AssignmentPlan> SolveAsync(AssignmentProblem problem, PlannerSettings settings, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Plan(problem, settings, cancellationToken));
    }

    public AssignmentPlan Plan(AssignmentProblem problem, PlannerSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var workspace = Interlocked.Exchange(ref _cached, null) ?? new Workspace();
        try
        {
            return Solve(workspace, problem, settings, cancellationToken);
        }
        finally
        {
            Volatile.Write(ref _cached, workspace);
        }
    }

    private static long Deadline(long start, TimeSpan budget)
    {
        var ticks = budget.TotalSeconds * Stopwatch.Frequency;
        return ticks >= long.MaxValue - start ? long.MaxValue : start + (long)ticks;
    }

    private AssignmentPlan Solve(Workspace ws, AssignmentProblem problem, PlannerSettings settings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var deadline = Deadline(started, settings.TimeBudget);
        var tasks = problem.TaskCount;

        var greedyState = ws.GreedyState(problem);
        GreedyAssigner.Build(greedyState, ws.Repair);
        var greedyPlan = Workspace.Grow(ref ws.GreedyPlan, tasks);
        greedyState.BackendOf.CopyTo(greedyPlan);
        var greedyObjective = problem.ObjectiveUnchecked(greedyState.BackendOf);
        var feasible = greedyState.WithinCapacity();

        ws.Qubo.Bind(problem, settings.PenaltyMultiplier);
        var (c0, dt) = ws.Qubo.Parameters(settings.TimeStepFactor);
        var width = Vector<float>.Count;
        var blocks = Math.Min(settings.Parallelism, (settings.Agents + width - 1) / width);
        var perBlock = (((settings.Agents + blocks - 1) / blocks) + width - 1) / width * width;
        var agents = ws.BindBlocks(blocks, ws.Qubo, perBlock, (float)c0, (float)dt);
        var seeds = ws.Seeds;
        seeds.Clear();
        seeds.Add(ws.GreedyPlan);
        if (_pool is not null)
        {
            _pool.AddMatching(problem, settings.Agents / 2, seeds);
        }

        var scores = Workspace.Grow(ref ws.Scores, blocks * perBlock);
        var best = Workspace.Grow(ref ws.Best, tasks);
        var hasBest = false;
        var bestObjective = double.PositiveInfinity;
        var overflowPenalty = feasible ? ws.Qubo.Penalty : 0;
        var polishState = ws.PolishState(problem);
        var coherence = 0.0;
        var continuations = 0;
        long steps = 0;
        var stepsThisRound = settings.StepsPerRound;
        for (var round = 0; ; round++)
        {
            steps += RunBlocks(ws, blocks, perBlock, settings, round, stepsThisRound, deadline, overflowPenalty, cancellationToken);
            coherence = Coherence.Of(scores);

            // Repair and polish only the most promising argmax plans.
            var polish = Math.Min(settings.PolishedAgents, scores.Length);
            var ranked = Workspace.Grow(ref ws.Ranked, polish);
            RankBest(scores, ranked);
            var plan = Workspace.Grow(ref ws.Plan, tasks);
            foreach (var agent in ranked)
            {
                // Past the deadline only the best-ranked agent is still polished.
                if (hasBest && Stopwatch.GetTimestamp() >= deadline)
                {
                    break;
                }

                ws.Blocks[agent / perBlock].Decode(agent % perBlock, plan);
                polishState.Load(plan);
                if (feasible && !ws.Repair.Repair(polishState))
                {
                    continue;
                }

                OneOptImprover.Improve(polishState);
                var objective = problem.ObjectiveUnchecked(polishState.BackendOf);
                if (objective < bestObjective)
                {
                    bestObjective = objective;
                    polishState.BackendOf.CopyTo(best);
                    hasBest = true;
                }
            }

            if (coherence >= settings.CoherenceThreshold || continuations >= settings.MaxContinuations
                || Stopwatch.GetTimestamp() >= deadline || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            // Decoherence mitigation: a longer anneal, seeded with the best plan found so far.
            continuations++;
            stepsThisRound *= 2;
            if (hasBest && !ReferenceEquals(seeds[0], ws.Best))
            {
                seeds.Insert(0, ws.Best);
            }
        }

        var decoherent = coherence < settings.CoherenceThreshold;
        var beatsGreedy = hasBest && bestObjective < greedyObjective - 1e-9;
        var useBifurcation = beatsGreedy && !(decoherent && settings.FallBackWhenDecoherent);
        var chosen = useBifurcation ? best[..tasks].ToArray() : greedyPlan[..tasks].ToArray();
        var chosenObjective = useBifurcation ? bestObjective : greedyObjective;
        _pool?.Add(problem, chosen);
        var gain = greedyObjective == 0 ? 0 : (greedyObjective - chosenObjective) / Math.Abs(greedyObjective);
        return new AssignmentPlan(
            chosen,
            chosenObjective,
            hasBest ? bestObjective : double.NaN,
            greedyObjective,
            gain,
            coherence,
            useBifurcation ? PlanOrigin.Bifurcation : PlanOrigin.Greedy,
            decoherent,
            problem.FitsCapacity(chosen),
            continuations,
            steps,
            agents,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Runs every block's anneal and scores its agents; returns the steps done.</summary>
    private static long RunBlocks(Workspace ws, int blocks, int perBlock, PlannerSettings settings, int round, int steps, long deadline, double overflowPenalty, CancellationToken cancellationToken)
    {
        var done = ws.RoundSteps;
        if (blocks == 1)
        {
            done[0] = RunBlock(ws, 0, perBlock, settings.Seed, round, steps, deadline, overflowPenalty, cancellationToken);
        }
        else
        {
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism }, b =>
                done[b] = RunBlock(ws, b, perBlock, settings.Seed, round, steps, deadline, overflowPenalty, cancellationToken));
        }

        long total = 0;
        for (var b = 0; b < blocks; b++)
        {
            total += done[b];
        }

        return total;
    }

    private static int RunBlock(Workspace ws, int block, int perBlock, int seed, int round, int steps, long deadline, double overflowPenalty, CancellationToken cancellationToken)
    {
        var runner = ws.Blocks[block];
        runner.Initialise(unchecked((uint)((seed * 1_000_003) + (round * 7919) + (block * 104_729))), block == 0 ? ws.Seeds : []);
        var done = runner.Run(steps, deadline, cancellationToken);
        runner.DecodeAll();
        for (var a = 0; a < perBlock; a++)
        {
            ws.Scores[(block * perBlock) + a] = runner.Score(a, overflowPenalty);
        }

        return done;
    }

    /// <summary>Indices of the lowest scores, best first (selection: the count is small).</summary>
    private static void RankBest(ReadOnlySpan<double> scores, Span<int> ranked)
    {
        for (var r = 0; r < ranked.Length; r++)
        {
            var pick = -1;
            for (var i = 0; i < scores.Length; i++)
            {
                if ((pick < 0 || scores[i] < scores[pick]) && !ranked[..r].Contains(i))
                {
                    pick = i;
                }
            }

            ranked[r] = pick;
        }
    }

    /// <summary>Everything a solve needs besides the problem, kept between solves.</summary>
    private sealed class Workspace
    {
        public readonly AssignmentQubo Qubo = new();
        public readonly CapacityRepair Repair = new();
        public readonly List<int[]> Seeds = [];
        public AssignmentAgents[] Blocks = [];
        public int[] RoundSteps = [];
        public int[] GreedyPlan = [];
        public int[] Best = [];
        public int[] Plan = [];
        public int[] Ranked = [];
        public double[] Scores = [];
        private AssignmentState? _greedy;
        private AssignmentState? _polish;

        /// <summary>Exactly <paramref name="length"/> elements of a buffer grown on demand.</summary>
        public static Span<T> Grow<T>(ref T[] buffer, int length)
        {
            if (buffer.Length < length)
            {
                buffer = new T[Math.Max(length, buffer.Length * 2)];
            }

            return buffer.AsSpan(0, length);
        }

        public AssignmentState GreedyState(AssignmentProblem problem) => Rebind(ref _greedy, problem);

        public AssignmentState PolishState(AssignmentProblem problem) => Rebind(ref _polish, problem);

        /// <summary>Binds the first <paramref name="count"/> blocks; returns the agents in all.</summary>
        public int BindBlocks(int count, AssignmentQubo qubo, int perBlock, float c0, float dt)
        {
            if (Blocks.Length < count)
            {
                var grown = new AssignmentAgents[count];
                Blocks.CopyTo(grown, 0);
                for (var b = Blocks.Length; b < count; b++)
                {
                    grown[b] = new AssignmentAgents();
                }

                Blocks = grown;
                RoundSteps = new int[count];
            }

            for (var b = 0; b < count; b++)
            {
                Blocks[b].Bind(qubo, perBlock, c0, dt);
            }

            return count * perBlock;
        }

        private static AssignmentState Rebind(ref AssignmentState? state, AssignmentProblem problem)
        {
            if (state is null)
            {
                state = new AssignmentState(problem);
            }
            else
            {
                state.Reset(problem);
            }

            return state;
        }
    }
}
