using BenchmarkDotNet.Attributes;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Detection.Benchmarks;

/// <summary>BenchmarkDotNet view of the detector (`-- --bdn`): time and, with the memory diagnoser, bytes allocated per scan.</summary>
[MemoryDiagnoser]
public class DetectorBenchmarks
{
    private readonly PhiDetector _detector = new(new PhiDetectionSettings());
    private string _text = "";

    [Params(1, 4, 16, 64)]
    public int Kb { get; set; }

    [Params(false, true)]
    public bool Identifiers { get; set; }

    [GlobalSetup]
    public void Setup() => _text = ClinicalText.Prose(Kb * 1024, Identifiers);

    [Benchmark]
    public bool Scan() => _detector.Scan(_text).Found;
}
