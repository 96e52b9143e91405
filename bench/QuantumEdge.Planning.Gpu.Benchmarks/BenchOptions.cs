using System.Globalization;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// The bench tool's command line: <c>--accelerator auto|cuda|opencl|cpu</c>, <c>--quick</c> (sizes
/// small enough for ILGPU's CPU accelerator), <c>--parts a,b,…</c>, <c>--out FILE</c>,
/// <c>--gset DIR</c>, <c>--planner PATH</c>, <c>--part-seconds S</c> (each part's own time limit).
/// </summary>
internal sealed record BenchOptions
{
    public string Accelerator { get; init; } = "auto";

    public bool Quick { get; init; }

    public IReadOnlyList<string> Parts { get; init; } = BenchParts.Names;

    public string? Output { get; init; }

    public string GsetDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "gset");

    /// <summary>The <c>quantumedge-planner</c> executable; by default beside this tool or in ../planner.</summary>
    public string? Planner { get; init; }

    /// <summary>A part stops starting new rows after this long; run.sh's <c>timeout</c> is the hard limit.</summary>
    public TimeSpan PartLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <exception cref="ArgumentException">An unknown, incomplete or invalid argument, named.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var k = 0; k < args.Count; k++)
        {
            string Value()
            {
                if (k + 1 >= args.Count)
                {
                    throw new ArgumentException($"{args[k]} needs a value");
                }

                return args[++k];
            }

            options = args[k] switch
            {
                "--accelerator" => options with { Accelerator = Value() },
                "--quick" => options with { Quick = true },
                "--parts" => options with { Parts = ParseParts(Value()) },
                "--out" => options with { Output = Value() },
                "--gset" => options with { GsetDirectory = Value() },
                "--planner" => options with { Planner = Value() },
                "--part-seconds" => options with { PartLimit = ParseSeconds(Value()) },
                _ => throw new ArgumentException($"unknown argument '{args[k]}'"),
            };
        }

        return options;
    }

    private static string[] ParseParts(string value)
    {
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = parts.Where(p => !BenchParts.Names.Contains(p)).ToArray();
        if (parts.Length == 0 || unknown.Length > 0)
        {
            throw new ArgumentException($"--parts takes a comma-separated list of {string.Join(", ", BenchParts.Names)}; unknown: '{string.Join(", ", unknown)}'");
        }

        return parts;
    }

    private static TimeSpan ParseSeconds(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"--part-seconds must be a number of seconds in (0, 3600], got '{value}'");
}
