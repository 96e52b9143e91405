using System.Globalization;
using QuantumEdge.Gateway.Benchmarks.Load;

namespace QuantumEdge.Gateway.Benchmarks;

/// <summary>Command line of the gateway benchmark; every option has a default that keeps a run under a minute.</summary>
internal sealed record BenchOptions
{
    public double Rps { get; init; } = 1000;
    /// <summary>Length of each open-loop pass.</summary>
    public double Seconds { get; init; } = 8;
    public long MaxRequests { get; init; } = 1_000_000;
    public ArrivalPattern Arrival { get; init; } = ArrivalPattern.Even;
    /// <summary>Workers of the closed-loop (saturation) passes.</summary>
    public int Concurrency { get; init; } = 64;
    public double SaturationSeconds { get; init; } = 5;
    /// <summary>Length of each repetition of the one-connection passes (added latency with no queueing).</summary>
    public double SingleSeconds { get; init; } = 1.5;
    /// <summary>Repetitions of the one-connection passes (direct, YARP, gateway interleaved); the report gives the median of their p99s.</summary>
    public int SingleRepeats { get; init; } = 5;
    /// <summary>Which groups of passes run; the others are skipped and left out of the report.</summary>
    public BenchPasses Passes { get; init; } = BenchPasses.All;
    public double StreamRps { get; init; } = 200;
    public double StreamSeconds { get; init; } = 3;
    public double WarmupSeconds { get; init; } = 2;
    /// <summary>Distinct callers (tokens, privacy budgets) the requests rotate through.</summary>
    public int Users { get; init; } = 1000;
    /// <summary>Diagnostic: one TCP connection per request (Connection: close) on every pass, direct and gateway alike.</summary>
    public bool FreshConnections { get; init; }
    /// <summary>Diagnostic: after each saturation pass, the types the runtime's allocation sampling saw most.</summary>
    public bool AllocationTypes { get; init; }
    /// <summary>The node's <c>storage.audit_commit_linger_ms</c>; null keeps the product's default.</summary>
    public int? AuditCommitLingerMs { get; init; }

    public const string Usage = """
        usage: dotnet run -c Release --project bench/QuantumEdge.Gateway.Benchmarks -- [options]
          --rps N                  open-loop arrival rate (default 1000)
          --seconds S              length of each open-loop pass (default 8)
          --max-requests N         cap on requests per open-loop pass (default 1000000)
          --arrival even|poisson   open-loop spacing (default even)
          --concurrency C          closed-loop workers (default 64)
          --saturation-seconds S   length of each closed-loop pass (default 5)
          --single-seconds S       length of each repetition of the one-connection passes (default 1.5)
          --single-repeats N       repetitions of the one-connection passes; the report gives the median p99 (default 5)
          --passes LIST            comma-separated groups to run: open, saturation, single, stream (default all)
          --stream-rps N           open-loop rate of the streaming passes (default 200)
          --stream-seconds S       length of each streaming pass (default 3)
          --warmup-seconds S       warm-up per path before measuring (default 2)
          --users N                distinct callers / privacy budgets (default 1000)
          --audit-linger-ms N      the node's storage.audit_commit_linger_ms (default: the product's default; 0 = commit outcome records at once)
          --alloc-types            diagnostic: after each saturation pass, print the most allocated types (sampled)
          --fresh-connections      diagnostic: Connection: close on every request (direct and gateway alike)
        or: ... -- --serve-yarp --listen URL --upstream URL   only host the bare YARP proxy until SIGTERM (bench/wrk/run.sh)
        """;

    /// <summary>Null when the arguments asked for help or were not understood (the message says why).</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        error = null;
        var o = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                return null;
            }

            if (name == "--alloc-types")
            {
                o = o with { AllocationTypes = true };
                continue;
            }

            if (name == "--fresh-connections")
            {
                o = o with { FreshConnections = true };
                continue;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{name} needs a value";
                return null;
            }

            var value = args[++i];
            try
            {
                o = name switch
                {
                    "--rps" => o with { Rps = Positive(value) },
                    "--seconds" => o with { Seconds = Positive(value) },
                    "--max-requests" => o with { MaxRequests = (long)Positive(value) },
                    "--arrival" => o with { Arrival = Enum.Parse<ArrivalPattern>(value, ignoreCase: true) },
                    "--concurrency" => o with { Concurrency = (int)Positive(value) },
                    "--saturation-seconds" => o with { SaturationSeconds = Positive(value) },
                    "--single-seconds" => o with { SingleSeconds = Positive(value) },
                    "--single-repeats" => o with { SingleRepeats = (int)Positive(value) },
                    "--passes" => o with { Passes = ParsePasses(value) },
                    "--stream-rps" => o with { StreamRps = Positive(value) },
                    "--stream-seconds" => o with { StreamSeconds = Positive(value) },
                    "--warmup-seconds" => o with { WarmupSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                    "--users" => o with { Users = (int)Positive(value) },
                    "--audit-linger-ms" => o with { AuditCommitLingerMs = int.Parse(value, CultureInfo.InvariantCulture) },
                    _ => throw new FormatException($"unknown option {name}"),
                };
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                error = $"{name} {value}: {e.Message}";
                return null;
            }
        }

        return o;
    }

    private static BenchPasses ParsePasses(string value)
    {
        var passes = BenchPasses.None;
        foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            passes |= name.ToLowerInvariant() switch
            {
                "open" => BenchPasses.Open,
                "saturation" => BenchPasses.Saturation,
                "single" => BenchPasses.Single,
                "stream" => BenchPasses.Stream,
                "all" => BenchPasses.All,
                _ => throw new FormatException($"unknown pass group '{name}' (open, saturation, single, stream, all)"),
            };
        }

        return passes == BenchPasses.None ? throw new FormatException("names no pass group") : passes;
    }

    private static double Positive(string value)
    {
        var v = double.Parse(value, CultureInfo.InvariantCulture);
        return v > 0 && double.IsFinite(v) ? v : throw new FormatException("must be a positive number");
    }
}
