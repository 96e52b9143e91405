using System.Globalization;

namespace QuantumEdge.Ledger.Benchmarks;

/// <summary>Command line of the charge-throughput run.</summary>
public sealed record LedgerBenchOptions
{
    /// <summary>Length of each measured run (ledger and baseline, per concurrency).</summary>
    public double Seconds { get; init; } = 5;
    public IReadOnlyList<int> Callers { get; init; } = [1, 16, 64, 256];
    /// <summary>Where the temporary ledgers go; must be a real disk for fsync to mean anything.</summary>
    public string Directory { get; init; } = Path.GetTempPath();
    public bool Baseline { get; init; } = true;

    /// <summary>Also run the PostgreSQL ledger against a throw-away local server (needs Debian's postgresql package).</summary>
    public bool Postgres { get; init; } = true;

    /// <summary>PostgreSQL ledger instances (replicas) sharing that server, per run.</summary>
    public IReadOnlyList<int> Replicas { get; init; } = [1, 3];

    public const string Usage = """
        usage: dotnet run -c Release --project bench/QuantumEdge.Ledger.Benchmarks -- [options]
          --seconds S        length of each measured run (default 5)
          --callers LIST     concurrent callers, comma-separated (default 1,16,64,256)
          --dir PATH         directory for the temporary ledgers (default the temp dir; use a real disk)
          --no-baseline      skip the one-fsync-per-charge baseline
          --no-postgres      skip the PostgreSQL ledger (by default it runs against a throw-away local server)
          --replicas LIST    PostgreSQL ledger instances sharing that server, comma-separated (default 1,3)
          --alloc [--alloc-types] [--dir PATH]
                             bytes allocated per outcome record at group sizes 25 and 300, split per record / per commit
                             (--alloc-types: the most allocated types) instead
          --layout [--dir PATH]
                             CPU and allocation per audit record by LiteDB layout (a document per record, as shipped,
                             against one document per group commit) at group sizes 20 and 150 instead
          --micro [BDN args] BenchmarkDotNet micro-benchmarks of PrivacyBudgetPolicy.Spent/Evaluate instead
        """;

    public static LedgerBenchOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        error = null;
        var o = new LedgerBenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            try
            {
                switch (name)
                {
                    case "-h" or "--help":
                        return null;
                    case "--no-baseline":
                        o = o with { Baseline = false };
                        break;
                    case "--no-postgres":
                        o = o with { Postgres = false };
                        break;
                    case "--replicas":
                        var replicas = Value(args, ++i, name).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
                        o = replicas.Length > 0 && replicas.All(c => c is > 0 and <= 20) ? o with { Replicas = replicas } : throw new FormatException("needs counts 1..20");
                        break;
                    case "--seconds":
                        var s = double.Parse(Value(args, ++i, name), CultureInfo.InvariantCulture);
                        o = s > 0 && double.IsFinite(s) ? o with { Seconds = s } : throw new FormatException("must be positive");
                        break;
                    case "--callers":
                        var list = Value(args, ++i, name).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
                        o = list.Length > 0 && list.All(c => c > 0) ? o with { Callers = list } : throw new FormatException("needs positive counts");
                        break;
                    case "--dir":
                        o = o with { Directory = Value(args, ++i, name) };
                        break;
                    default:
                        throw new FormatException($"unknown option {name}");
                }
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                error = $"{name}: {e.Message}";
                return null;
            }
        }

        return o;
    }

    private static string Value(IReadOnlyList<string> args, int at, string name) =>
        at < args.Count ? args[at] : throw new FormatException($"{name} needs a value");
}
