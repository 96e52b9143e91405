namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>The report's parts, in the order they run, each under its own time limit.</summary>
internal static class BenchParts
{
    public static readonly string[] Names = ["device", "parity", "dense", "assignment", "gset", "crossover", "ipc"];

    public static Func<BenchContext, IReadOnlyList<BenchSection>> Of(string name) => name switch
    {
        "device" => context => [DevicePart.Run(context)],
        "parity" => context => [ParityPart.Run(context)],
        "dense" => DenseThroughputPart.Run,
        "assignment" => context => [AssignmentThroughputPart.Run(context)],
        "gset" => context => [GsetPart.Run(context)],
        "crossover" => context => [CrossoverPart.Run(context)],
        "ipc" => context => [IpcPart.Run(context)],
        _ => throw new ArgumentException($"no bench part '{name}'", nameof(name)),
    };
}
