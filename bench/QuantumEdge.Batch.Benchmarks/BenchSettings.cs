using System.Globalization;

namespace QuantumEdge.Batch.Benchmarks;

/// <summary>Command line of the batch scheduling benchmark.</summary>
internal sealed record BenchSettings
{
    public const string Usage = "usage: QuantumEdge.Batch.Benchmarks [--lines N] [--questions Q] [--backends B] [--concurrency C] [--kv-tokens T] " +
        "[--interactive-rps R] [--tick-ms MS] [--reserves 0.25,0.5,0.75] [--seed S] [--quick]";

    public int Lines { get; init; } = 2000;
    public int Questions { get; init; } = 5;
    public int Backends { get; init; } = 4;
    public int Concurrency { get; init; } = 16;
    public int KvCacheTokens { get; init; } = 32_768;
    public double InteractivePerSecond { get; init; } = 8;
    public double TickMs { get; init; } = 250;
    public IReadOnlyList<double> Reserves { get; init; } = [0.25, 0.5, 0.75];
    public int Seed { get; init; } = 1;

    public static BenchSettings? Parse(string[] args, out string? error)
    {
        var s = new BenchSettings();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h")
            {
                return null;
            }

            if (name == "--quick")
            {
                s = s with { Lines = 200, Reserves = [0.25] };
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value";
                return null;
            }

            var value = args[++i];
            try
            {
                s = name switch
                {
                    "--lines" => s with { Lines = Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                    "--questions" => s with { Questions = Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                    "--backends" => s with { Backends = Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                    "--concurrency" => s with { Concurrency = Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                    "--kv-tokens" => s with { KvCacheTokens = Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                    "--interactive-rps" => s with { InteractivePerSecond = Positive(name, double.Parse(value, CultureInfo.InvariantCulture)) },
                    "--tick-ms" => s with { TickMs = Positive(name, double.Parse(value, CultureInfo.InvariantCulture)) },
                    "--reserves" => s with { Reserves = [.. value.Split(',').Select(v => Reserve(double.Parse(v, CultureInfo.InvariantCulture)))] },
                    "--seed" => s with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                    _ => throw new ArgumentException($"unknown option {name}"),
                };
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                error = $"{name} {value}: {e.Message}";
                return null;
            }
        }

        return s;
    }

    private static T Positive<T>(string name, T value)
        where T : System.Numerics.INumber<T> => value > T.Zero ? value : throw new ArgumentException($"{name} must be positive");

    private static double Reserve(double value) => value is >= 0 and < 1 ? value : throw new ArgumentException("each reserve must be in [0, 1)");
}
