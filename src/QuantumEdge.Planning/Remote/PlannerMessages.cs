using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Remote;

/// <summary>
/// Bodies of the protocol's frames (PROTOCOL.md gives the byte layout). Problems travel as their
/// inputs — permitted pairs, loads, capacities, couplings; an Ising model's upper-triangle
/// couplings and field — and are rebuilt through the same validating builders as locally, so a
/// hostile request fails with the builder's message instead of reaching a kernel.
/// </summary>
internal static class PlannerMessages
{
    public static ReadOnlyMemory<byte> Hello(ushort version)
    {
        var w = new FrameWriter(FrameType.Hello, 0);
        w.UInt16(version);
        return w.Finish();
    }

    public static ReadOnlyMemory<byte> Welcome(PlannerDeviceInfo device)
    {
        var w = new FrameWriter(FrameType.Welcome, 0);
        w.UInt16(PlannerProtocol.Version);
        w.String(device.Kind);
        w.String(device.Name);
        w.Int64(device.MemoryBytes);
        w.Int32(device.Kernels.Count);
        foreach (var kernel in device.Kernels)
        {
            w.String(kernel);
        }

        return w.Finish();
    }

    public static PlannerDeviceInfo ReadWelcome(ReadOnlySpan<byte> body)
    {
        var r = new FrameReader(body);
        var version = r.UInt16();
        if (version != PlannerProtocol.Version)
        {
            throw new PlannerProtocolException($"planner speaks protocol {version}, this node {PlannerProtocol.Version}", PlannerErrorCode.UnsupportedVersion);
        }

        var info = new PlannerDeviceInfo(r.String("device kind"), r.String("device name"), r.Int64());
        // Each name is at least its 4-byte length.
        var kernels = new string[r.Count("kernel", 4)];
        for (var i = 0; i < kernels.Length; i++)
        {
            kernels[i] = r.String("kernel name");
        }

        r.End();
        info = info with { Kernels = kernels };
        return info;
    }

    public static ReadOnlyMemory<byte> Error(uint requestId, PlannerErrorCode code, string message)
    {
        var w = new FrameWriter(FrameType.Error, requestId);
        w.UInt16((ushort)code);
        w.String(message);
        return w.Finish();
    }

    public static PlannerErrorException ReadError(ReadOnlySpan<byte> body)
    {
        var r = new FrameReader(body);
        var code = (PlannerErrorCode)r.UInt16();
        return new PlannerErrorException(code, r.String("error message"));
    }

    public static ReadOnlyMemory<byte> SolveAssignment(uint requestId, AssignmentProblem problem, PlannerSettings settings)
    {
        var w = new FrameWriter(FrameType.SolveAssignment, requestId);
        w.Int64((long)(settings.TimeBudget.TotalMilliseconds * 1000));
        w.Int32(settings.Agents);
        w.Int32(settings.StepsPerRound);
        w.Int32(settings.PolishedAgents);
        w.Double(settings.CoherenceThreshold);
        w.Int32(settings.MaxContinuations);
        w.Double(settings.PenaltyMultiplier);
        w.Int32(settings.Seed);
        w.Double(settings.TimeStepFactor);
        w.Bool(settings.FallBackWhenDecoherent);
        w.Int32(problem.TaskCount);
        w.Int32(problem.BackendCount);
        w.Double(problem.CoLocationStrength);
        w.Double(problem.InterferenceResolution);
        for (var b = 0; b < problem.BackendCount; b++)
        {
            w.Int32(problem.Capacities[b]);
            w.Double(problem.InterferenceWeights[b]);
        }

        for (var t = 0; t < problem.TaskCount; t++)
        {
            w.Double(problem.Loads[t]);
            w.Double(problem.Priorities[t]);
            w.Int32(problem.TaskStart[t + 1] - problem.TaskStart[t]);
            for (var v = problem.TaskStart[t]; v < problem.TaskStart[t + 1]; v++)
            {
                w.Int32(problem.VariableBackend[v]);
                w.Double(problem.VariableCost[v]);
            }
        }

        w.Int32(problem.Couplings.Count);
        foreach (var c in problem.Couplings)
        {
            w.Int32(c.First);
            w.Int32(c.Second);
            w.Double(c.Weight);
        }

        return w.Finish();
    }

    /// <exception cref="PlannerProtocolException">The body is truncated or describes an invalid problem.</exception>
    public static (AssignmentProblem Problem, PlannerSettings Settings) ReadSolveAssignment(ReadOnlySpan<byte> body)
    {
        var r = new FrameReader(body);
        var budget = Budget(ref r);
        var settings = new PlannerSettings
        {
            TimeBudget = budget,
            Agents = r.Int32(),
            StepsPerRound = r.Int32(),
            PolishedAgents = r.Int32(),
            CoherenceThreshold = r.Finite("coherence threshold"),
            MaxContinuations = r.Int32(),
            PenaltyMultiplier = r.Finite("penalty multiplier"),
            Seed = r.Int32(),
            TimeStepFactor = r.Finite("time step factor"),
            FallBackWhenDecoherent = r.Bool(),
        };
        var tasks = r.Count("task", 20);
        var backends = r.Count("backend", 12);
        try
        {
            var builder = new AssignmentProblemBuilder(Math.Max(1, backends))
            {
                CoLocationStrength = r.Finite("co-location strength"),
                InterferenceResolution = r.Finite("interference resolution"),
            };
            for (var b = 0; b < backends; b++)
            {
                builder.SetBackend(b, r.Int32(), r.Finite("interference weight"));
            }

            for (var t = 0; t < tasks; t++)
            {
                var load = r.Finite("task load");
                var priority = r.Finite("task priority");
                var permitted = new PermittedBackend[r.Count("permitted backend", 12)];
                for (var k = 0; k < permitted.Length; k++)
                {
                    permitted[k] = new PermittedBackend(r.Int32(), r.Finite("cost"));
                }

                builder.AddTask(permitted, load, priority);
            }

            var couplings = r.Count("coupling", 16);
            for (var k = 0; k < couplings; k++)
            {
                builder.Couple(r.Int32(), r.Int32(), r.Finite("coupling weight"));
            }

            r.End();
            settings.Validate();
            return (builder.Build(), settings);
        }
        catch (ArgumentException e)
        {
            throw new PlannerProtocolException($"invalid assignment problem: {e.Message}");
        }
    }

    public static ReadOnlyMemory<byte> AssignmentResult(uint requestId, AssignmentPlan plan)
    {
        var w = new FrameWriter(FrameType.AssignmentResult, requestId);
        w.Int32(plan.BackendOfTask.Count);
        foreach (var b in plan.BackendOfTask)
        {
            w.Int32(b);
        }

        w.Double(plan.Objective);
        w.Double(plan.BifurcationObjective);
        w.Double(plan.GreedyObjective);
        w.Double(plan.Gain);
        w.Double(plan.Coherence);
        w.Byte((byte)plan.Origin);
        w.Bool(plan.Decoherent);
        w.Bool(plan.CapacityRespected);
        w.Int32(plan.Continuations);
        w.Int64(plan.Steps);
        w.Int32(plan.Agents);
        w.Double(plan.ElapsedMs);
        return w.Finish();
    }

    /// <summary>The plan, checked against the problem it answers (one permitted backend per task).</summary>
    public static AssignmentPlan ReadAssignmentResult(ReadOnlySpan<byte> body, AssignmentProblem problem)
    {
        var r = new FrameReader(body);
        var tasks = r.Count("task", 4);
        if (tasks != problem.TaskCount)
        {
            throw new PlannerProtocolException($"plan has {tasks} tasks, the problem {problem.TaskCount}");
        }

        var backends = new int[tasks];
        for (var t = 0; t < tasks; t++)
        {
            backends[t] = r.Int32();
            if (!Permits(problem, t, backends[t]))
            {
                throw new PlannerProtocolException($"plan puts task {t} on backend {backends[t]}, which it does not permit");
            }
        }

        var plan = new AssignmentPlan(
            backends, r.Double(), r.Double(), r.Double(), r.Double(), r.Double(),
            r.Byte() == (byte)PlanOrigin.Greedy ? PlanOrigin.Greedy : PlanOrigin.Bifurcation,
            r.Bool(), r.Bool(), r.Int32(), r.Int64(), r.Int32(), r.Double());
        r.End();
        return plan with { Objective = problem.Objective(backends), CapacityRespected = problem.FitsCapacity(backends) };
    }

    public static ReadOnlyMemory<byte> SolveIsing(uint requestId, IsingModel model, BifurcationSettings settings)
    {
        var w = new FrameWriter(FrameType.SolveIsing, requestId);
        w.Int64((long)(settings.TimeLimit.TotalMilliseconds * 1000));
        w.Byte((byte)settings.Variant);
        w.Int32(settings.Agents);
        w.Int32(settings.StepsPerRound);
        w.Int32(settings.RoundsInBudget ?? 0);
        w.Int32(settings.MaxRounds);
        w.Int32(settings.Seed);
        w.Int32(settings.TabuMoves);
        w.Int32(model.Size);
        w.Byte((byte)model.Sense);
        w.Double(model.Offset);
        foreach (var h in model.Field)
        {
            w.Double(h);
        }

        w.Int32(model.StoredCouplings / 2);
        for (var i = 0; i < model.Size; i++)
        {
            for (var k = model.RowStart[i]; k < model.RowStart[i + 1]; k++)
            {
                if (model.Columns[k] > i)
                {
                    w.Int32(i);
                    w.Int32(model.Columns[k]);
                    w.Double(model.Couplings[k]);
                }
            }
        }

        return w.Finish();
    }

    public static (IsingModel Model, BifurcationSettings Settings) ReadSolveIsing(ReadOnlySpan<byte> body)
    {
        var r = new FrameReader(body);
        var budget = Budget(ref r);
        var variant = r.Byte() switch
        {
            (byte)BifurcationVariant.Ballistic => BifurcationVariant.Ballistic,
            (byte)BifurcationVariant.Discrete => BifurcationVariant.Discrete,
            var v => throw new PlannerProtocolException($"unknown bifurcation variant {v}"),
        };
        var settings = new BifurcationSettings
        {
            TimeLimit = budget,
            Variant = variant,
            Agents = r.Int32(),
            StepsPerRound = r.Int32(),
            RoundsInBudget = r.Int32() is var rounds and > 0 ? rounds : null,
            MaxRounds = r.Int32(),
            Seed = r.Int32(),
            TabuMoves = r.Int32(),
            Parallelism = 1,
        };
        var size = r.Count("spin", 8);
        var sense = r.Byte() switch
        {
            (byte)ObjectiveSense.Minimise => ObjectiveSense.Minimise,
            (byte)ObjectiveSense.Maximise => ObjectiveSense.Maximise,
            var s => throw new PlannerProtocolException($"unknown objective sense {s}"),
        };
        var offset = r.Finite("offset");
        var field = new double[size];
        for (var i = 0; i < size; i++)
        {
            field[i] = r.Finite("field");
        }

        var edges = new WeightedEdge[r.Count("coupling", 16)];
        for (var k = 0; k < edges.Length; k++)
        {
            edges[k] = new WeightedEdge(r.Int32(), r.Int32(), r.Finite("coupling"));
        }

        r.End();
        try
        {
            settings.Validate();
            return (IsingModel.Create(size, edges, field, offset, sense), settings);
        }
        catch (ArgumentException e)
        {
            throw new PlannerProtocolException($"invalid Ising problem: {e.Message}");
        }
    }

    public static ReadOnlyMemory<byte> IsingResult(uint requestId, SolverResult result)
    {
        var w = new FrameWriter(FrameType.IsingResult, requestId);
        w.Int32(result.BestSpins.Length);
        foreach (var s in result.BestSpins)
        {
            w.Byte((byte)s);
        }

        w.Double(result.TimeToBestMs);
        w.Int64(result.Steps);
        w.Int32(result.Agents);
        w.Double(result.Coherence);
        w.Int32(result.Rounds);
        w.Double(result.ElapsedMs);
        return w.Finish();
    }

    /// <summary>The result with its objective recomputed from the spins (the planner's word is not taken for it).</summary>
    public static SolverResult ReadIsingResult(ReadOnlySpan<byte> body, IsingModel model)
    {
        var r = new FrameReader(body);
        var size = r.Count("spin", 1);
        if (size != model.Size)
        {
            throw new PlannerProtocolException($"result has {size} spins, the model {model.Size}");
        }

        var spins = new sbyte[size];
        for (var i = 0; i < size; i++)
        {
            spins[i] = r.Byte() switch
            {
                1 => 1,
                0xFF => -1,
                var b => throw new PlannerProtocolException($"spin byte {b} is neither +1 nor −1"),
            };
        }

        var result = new SolverResult(model.Objective(spins), spins, r.Double(), r.Int64(), r.Int32(), r.Double(), r.Int32(), r.Double(), []);
        r.End();
        return result;
    }

    private static bool Permits(AssignmentProblem problem, int task, int backend)
    {
        for (var v = problem.TaskStart[task]; v < problem.TaskStart[task + 1]; v++)
        {
            if (problem.VariableBackend[v] == backend)
            {
                return true;
            }
        }

        return false;
    }

    private static TimeSpan Budget(ref FrameReader r)
    {
        var micros = r.Int64();
        if (micros is <= 0 or > 600_000_000)
        {
            throw new PlannerProtocolException($"time budget {micros} µs is not in (0, 10 min]");
        }

        return TimeSpan.FromMicroseconds(micros);
    }
}
