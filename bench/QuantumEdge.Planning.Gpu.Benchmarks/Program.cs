using QuantumEdge.Planning.Gpu.Benchmarks;

// quantumedge-gpu-bench [--accelerator auto|cuda|opencl|cpu] [--quick] [--parts a,b,…] [--out FILE]
// [--gset DIR] [--planner PATH] [--part-seconds S]: the GPU planner's bench (bench/gpu/README.md).
// Exit codes: 0 report written and parity held, 1 parity failed or a part failed, 2 usage or no device.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"gpu bench: {e.Message}");
    Console.Error.WriteLine($"usage: quantumedge-gpu-bench [--accelerator auto|cuda|opencl|cpu] [--quick] [--parts {string.Join(",", BenchParts.Names)}] [--out FILE] [--gset DIR] [--planner PATH] [--part-seconds S]");
    return 2;
}

try
{
    var report = GpuBench.Run(options, Console.Out);
    if (options.Output is { } path)
    {
        ReportFile.Write(path, report.Markdown);
    }

    return report.Succeeded ? 0 : 1;
}
catch (Exception e) when (e is InvalidOperationException or ArgumentException)
{
    Console.Error.WriteLine($"gpu bench: {e.Message}");
    return 2;
}
