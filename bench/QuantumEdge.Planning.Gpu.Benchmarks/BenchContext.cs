using System.Diagnostics;
using ILGPU.Runtime;
using QuantumEdge.Planning.Gpu.Devices;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>What every part runs with: the accelerator, the options, its own time limit and the progress log.</summary>
internal sealed class BenchContext(Accelerator accelerator, BenchOptions options, TextWriter progress)
{
    private long _partStarted = Stopwatch.GetTimestamp();

    public Accelerator Accelerator => accelerator;

    public BenchOptions Options => options;

    public bool Quick => options.Quick;

    /// <summary>"cuda", "opencl" or "cpu".</summary>
    public string Kind => AcceleratorChoice.Kind(accelerator);

    public bool IsGpu => Kind != "cpu";

    /// <summary>True once the running part has used its time limit: it starts no more rows.</summary>
    public bool OutOfTime => Stopwatch.GetElapsedTime(_partStarted) >= options.PartLimit;

    public string OutOfTimeNote => $"(further rows skipped: the part's {options.PartLimit.TotalSeconds:F0} s limit was reached)";

    public void StartPart() => _partStarted = Stopwatch.GetTimestamp();

    public void Log(string line)
    {
        progress.WriteLine(line);
        progress.Flush();
    }
}
