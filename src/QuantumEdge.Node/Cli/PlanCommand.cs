using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Remote;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// <c>quantumedge plan solve (--gset FILE | --qubo FILE)</c>: the planner's simulated-bifurcation
/// solver on a standard instance, on one core or on the GPU planner process (<c>--device gpu|auto</c>,
/// through <see cref="PlanSolveDevice"/>). Gset (MaxCut) runs discrete SB; a QUBO runs discrete and
/// ballistic SB on half the time each and keeps the better, unless <c>--variant</c> picks one.
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var gset = new Option<FileInfo?>("--gset") { Description = "A Gset MaxCut instance: 'n m', then 'i j w' lines (1-based). The objective is the cut, maximised." };
        var qubo = new Option<FileInfo?>("--qubo") { Description = "A QUBO: 'n m', then 'i j q' lines (1-based, i == j linear). The objective is the energy, minimised." };
        var timeLimit = new Option<int>("--time-limit-ms") { Description = "Wall-clock budget of the solve.", DefaultValueFactory = _ => 1000 };
        var agents = new Option<int>("--agents") { Description = "Agents (replicas) evolved at once, rounded up to the SIMD width.", DefaultValueFactory = _ => 32 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "cpu; gpu (the quantumedge-planner process; exit 1 when it does not answer); auto (the planner when it answers, else cpu).", DefaultValueFactory = _ => "auto" };
        var plannerSocket = new Option<string?>("--planner-socket") { Description = "The planner process's socket (default: quantum_planning.gpu.socket_path of the configuration, <data_dir>/planner.sock)." };
        var variant = new Option<string>("--variant") { Description = "discrete, ballistic or auto (Gset: discrete; QUBO: the better of both).", DefaultValueFactory = _ => "auto" };
        var steps = new Option<string>("--steps") { Description = "Steps of one bifurcation round, or auto: rounds as long as two fit the time limit (at least 1000 steps). Rounds repeat while time remains.", DefaultValueFactory = _ => "auto" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: objective, solution (0/1 per variable in input order), time_to_best_ms, steps, agents, coherence, ..." };
        var solve = new Command("solve", "Solve a Gset or QUBO instance with the planner's simulated-bifurcation solver and print the best objective.")
        {
            gset, qubo, timeLimit, agents, seed, device, variant, steps, json, plannerSocket,
        };
        solve.SetAction(async (parse, cancellationToken) =>
        {
            var limit = parse.GetValue(timeLimit);
            if (limit <= 0)
            {
                throw new ConfigurationException("--time-limit-ms", $"must be a positive number of milliseconds, got {limit}");
            }

            var agentCount = parse.GetValue(agents);
            if (agentCount is < 1 or > 100_000)
            {
                throw new ConfigurationException("--agents", $"must be between 1 and 100000, got {agentCount}");
            }

            var (stepCount, roundsInBudget) = RoundLength(parse.GetValue(steps)!);

            var deviceName = parse.GetValue(device)!;
            CheckDevice(deviceName);
            var gsetFile = parse.GetValue(gset);
            var quboFile = parse.GetValue(qubo);
            if ((gsetFile is null) == (quboFile is null))
            {
                throw new ConfigurationException("--gset", "give exactly one of --gset FILE or --qubo FILE");
            }

            var isGset = gsetFile is not null;
            var file = (gsetFile ?? quboFile)!;
            var option = isGset ? "--gset" : "--qubo";
            var (model, cut) = Load(file, option, isGset);
            var variants = Variants(parse.GetValue(variant)!, isGset);
            var settings = new BifurcationSettings
            {
                Agents = agentCount,
                StepsPerRound = stepCount,
                RoundsInBudget = roundsInBudget,
                Parallelism = 1,
                Seed = parse.GetValue(seed),
                TimeLimit = TimeSpan.FromMilliseconds((double)limit / variants.Length),
            };

            var socketPath = deviceName == "cpu" ? null : parse.GetValue(plannerSocket) ?? PlannerSocketFromConfig(parse);
            PlanSolveDevice target;
            try
            {
                // The handshake's wait counts against the budget, as the node's does.
                target = await PlanSolveDevice.OpenAsync(deviceName, socketPath, TimeSpan.FromMilliseconds(limit * RemoteAssignmentSolver.RemoteShare), cancellationToken);
            }
            catch (PlannerUnreachableException e)
            {
                await Console.Error.WriteLineAsync($"quantumedge: {e.Message}");
                return ExitCodes.Failure;
            }

            Outcome outcome;
            await using (target)
            {
                outcome = await SolveAsync(model, settings, variants, target, cancellationToken);
            }

            var solution = IsingConversions.ToBinary(outcome.Result.BestSpins);
            var objective = cut is not null ? cut.CutValue(outcome.Result.BestSpins) : model.Objective(outcome.Result.BestSpins);
            if (parse.GetValue(json))
            {
                WriteJson(isGset, file, objective, solution, outcome, target);
            }
            else
            {
                var inv = CultureInfo.InvariantCulture;
                Console.Out.WriteLine(string.Create(inv, $"{file.Name}: {(isGset ? "gset" : "qubo")}, {model.Size} variables"));
                Console.Out.WriteLine(string.Create(inv, $"objective {objective:G17} ({(isGset ? "cut, maximised" : "energy, minimised")})"));
                Console.Out.WriteLine(string.Create(inv,
                    $"time to best {outcome.TimeToBestMs:F1} ms, steps {outcome.Steps}, agents {outcome.Result.Agents}, coherence {outcome.Result.Coherence:F3}, rounds {outcome.Rounds}, {Name(outcome.Variant)} SB on {outcome.Device}{Where(target)}"));
            }

            return ExitCodes.Ok;
        });
        return new Command("plan", "The planner's solver on standard instances.") { solve };
    }

    /// <summary>
    /// `auto`: two rounds in the budget, at least 1000 steps each. Long anneals are what sparse ±1
    /// graphs (toroidal grids) need; the step cost differs 10× between those and dense Gset graphs,
    /// so the length comes from the measured cost rather than a constant.
    /// </summary>
    private static (int Steps, int? RoundsInBudget) RoundLength(string value)
    {
        if (value == "auto")
        {
            return (1000, 2);
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var steps) || steps < 2)
        {
            throw new ConfigurationException("--steps", $"must be auto or a whole number of at least 2, got '{value}'");
        }

        return (steps, null);
    }

    private static void CheckDevice(string device)
    {
        if (device is not ("cpu" or "gpu" or "auto"))
        {
            throw new ConfigurationException("--device", $"'{device}' is not cpu, gpu or auto");
        }
    }

    private static string PlannerSocketFromConfig(ParseResult parse)
    {
        var config = ConfigSource.Load(parse);
        return config.QuantumPlanning.Gpu.ResolveSocketPath(config.Node);
    }

    private static string Where(PlanSolveDevice target) => (target.Planner, target.FallbackReason) switch
    {
        ({ } p, null) => string.Create(CultureInfo.InvariantCulture, $" (planner at {target.SocketPath}: {p.Kind} device '{p.Name}', IPC {target.LastIpcMs:F1} ms)"),
        (_, { } reason) => $" (planner at {target.SocketPath}: {reason}, solved on the cpu)",
        _ => "",
    };

    private static BifurcationVariant[] Variants(string name, bool isGset) => name switch
    {
        "discrete" => [BifurcationVariant.Discrete],
        "ballistic" => [BifurcationVariant.Ballistic],
        "auto" => isGset ? [BifurcationVariant.Discrete] : [BifurcationVariant.Discrete, BifurcationVariant.Ballistic],
        _ => throw new ConfigurationException("--variant", $"'{name}' is not discrete, ballistic or auto"),
    };

    private static (IsingModel Model, MaxCutInstance? Cut) Load(FileInfo file, string option, bool isGset)
    {
        if (!file.Exists)
        {
            throw new ConfigurationException(option, $"file '{file.FullName}' does not exist");
        }

        try
        {
            if (isGset)
            {
                var instance = GsetParser.ParseFile(file.FullName);
                return (instance.ToIsing(), instance);
            }

            return (QuboParser.ParseFile(file.FullName).ToIsing(), null);
        }
        catch (FormatException e)
        {
            throw new ConfigurationException(option, $"'{file.Name}' is not a valid {(isGset ? "Gset" : "QUBO")} file: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(option, $"'{file.Name}' is not a valid {(isGset ? "Gset" : "QUBO")} instance: {e.Message}");
        }
        catch (IOException e)
        {
            throw new ConfigurationException(option, $"cannot read '{file.FullName}': {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ConfigurationException(option, $"cannot read '{file.FullName}': {e.Message}");
        }
    }

    /// <summary>Runs each variant on its share of the budget and keeps the best, with times on one clock.</summary>
    private static async Task<Outcome> SolveAsync(IsingModel model, BifurcationSettings settings, BifurcationVariant[] variants, PlanSolveDevice target, CancellationToken cancellationToken)
    {
        Outcome? best = null;
        var offsetMs = 0.0;
        long steps = 0;
        var rounds = 0;
        foreach (var v in variants)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var (result, device) = await target.SolveAsync(model, settings with { Variant = v }, cancellationToken);
            steps += result.Steps;
            rounds += result.Rounds;
            var better = best is null || model.EnergyFromObjective(result.BestObjective) < model.EnergyFromObjective(best.Result.BestObjective) - 1e-9;
            if (better)
            {
                best = new Outcome(result, v, offsetMs + result.TimeToBestMs, 0, 0, device);
            }

            // The caller's clock: a planner solve's round trip, not only the planner's own time.
            offsetMs += System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return best! with { Steps = steps, Rounds = rounds, ElapsedMs = offsetMs };
    }

    private static void WriteJson(bool isGset, FileInfo file, double objective, byte[] solution, Outcome outcome, PlanSolveDevice target)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteString("instance", file.Name);
            w.WriteString("format", isGset ? "gset" : "qubo");
            w.WriteString("sense", isGset ? "maximise" : "minimise");
            w.WriteNumber("variables", solution.Length);
            w.WriteNumber("objective", objective);
            w.WriteStartArray("solution");
            foreach (var x in solution)
            {
                w.WriteNumberValue(x);
            }

            w.WriteEndArray();
            w.WriteNumber("time_to_best_ms", outcome.TimeToBestMs);
            w.WriteNumber("elapsed_ms", outcome.ElapsedMs);
            w.WriteNumber("steps", outcome.Steps);
            w.WriteNumber("rounds", outcome.Rounds);
            w.WriteNumber("agents", outcome.Result.Agents);
            w.WriteNumber("coherence", outcome.Result.Coherence);
            w.WriteString("variant", Name(outcome.Variant));
            w.WriteString("device", outcome.Device);
            if (target.SocketPath is { } socket)
            {
                w.WriteStartObject("planner");
                w.WriteString("socket", socket);
                w.WriteString("accelerator", target.Planner?.Kind);
                w.WriteString("accelerator_name", target.Planner?.Name);
                w.WriteString("fallback", target.FallbackReason);
                if (target.LastIpcMs is { } ipc)
                {
                    w.WriteNumber("ipc_ms", ipc);
                }
                else
                {
                    w.WriteNull("ipc_ms");
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }

    private static string Name(BifurcationVariant variant) => variant == BifurcationVariant.Discrete ? "discrete" : "ballistic";

    private sealed record Outcome(SolverResult Result, BifurcationVariant Variant, double TimeToBestMs, long Steps, int Rounds, string Device)
    {
        public double ElapsedMs { get; init; }
    }
}
