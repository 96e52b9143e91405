using System.Globalization;
using BenchmarkDotNet.Running;
using QuantumEdge.Detection.Benchmarks;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;

// `[seconds]`: the PHI detector's cost per KB of clinical prose (1, 4, 16, 64 KB, with and without
// identifiers), its throughput and allocations, and in the same run what detection adds to a 4 KB
// chat request (parse + screen, on vs off). `--bdn [BenchmarkDotNet args]`: the same scans under
// BenchmarkDotNet with its memory diagnoser. `--count N [labels]`: N scans, untimed (see Counted). `--stages [seconds]`: each stage of a scan alone.
if (args.Length > 0 && args[0] == "--bdn")
{
    BenchmarkSwitcher.FromTypes([typeof(DetectorBenchmarks)]).Run(args[1..]);
    return 0;
}

if (args.Length > 0 && args[0] == "--count")
{
    Counted.Run(int.Parse(args[1], CultureInfo.InvariantCulture), args.Length > 2 ? args[2] : "scan");
    return 0;
}

if (args.Length > 0 && args[0] == "--stages")
{
    Stages.Run(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2);
    return 0;
}

var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var detector = new PhiDetector(new PhiDetectionSettings());
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
Console.WriteLine($"PHI detector benchmark: {Environment.ProcessorCount} CPUs, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, " +
    $"{seconds:F0} s per case, load average at start: {load}");
Console.WriteLine("Wall time per scan (p50, p90 over ~2 ms batches), process CPU time per scan (mean), bytes allocated per scan.");
Console.WriteLine();
Console.WriteLine("| prose | size | p50 µs | p90 µs | p50 µs/KB | MB/s at p50 | CPU µs/KB | allocated B/KB | found |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
foreach (var withIdentifiers in new[] { false, true })
{
    foreach (var kb in new[] { 1, 4, 16, 64 })
    {
        var text = ClinicalText.Prose(kb * 1024, withIdentifiers);
        var found = detector.Scan(text).Found;
        var m = Measure.Run(() => detector.Scan(text), seconds, text.Length);
        // MB/s of UTF-16 text measured as characters (1 char = 1 byte of ASCII prose).
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {(withIdentifiers ? "with identifiers" : "no identifiers")} | {kb} KB | {m.P50Us:F1} | {m.P90Us:F1} | {m.P50Us / kb:F2} | {text.Length / m.P50Us:F0} | {m.CpuMeanUs / kb:F2} | {m.AllocatedBytes / kb:F1} | {found} |"));
    }
}

Console.WriteLine();
Console.WriteLine("Added latency of detection for a 4 KB chat request (in process: parse the body, then the PHI screen, labelled public; off = detection disabled):");
Console.WriteLine();
Console.WriteLine("| prompt | detection | p50 µs | p90 µs | CPU µs | allocated B | added p50 µs |");
Console.WriteLine("|---|---|---|---|---|---|---|");
var on = ScreenLatency.Screen(enabled: true);
var off = ScreenLatency.Screen(enabled: false);
foreach (var withIdentifiers in new[] { false, true })
{
    var body = ClinicalText.ChatBody(ClinicalText.Prose(4096, withIdentifiers));
    var mOff = Measure.Run(() => ScreenLatency.Request(off, body), seconds, body.Length);
    var mOn = Measure.Run(() => ScreenLatency.Request(on, body), seconds, body.Length);
    var name = withIdentifiers ? "4 KB with identifiers" : "4 KB no identifiers";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | off | {mOff.P50Us:F1} | {mOff.P90Us:F1} | {mOff.CpuMeanUs:F1} | {mOff.AllocatedBytes:F0} | |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | on | {mOn.P50Us:F1} | {mOn.P90Us:F1} | {mOn.CpuMeanUs:F1} | {mOn.AllocatedBytes:F0} | +{mOn.P50Us - mOff.P50Us:F1} |"));
}

var loadAfter = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
Console.WriteLine();
Console.WriteLine($"Load average at end: {loadAfter}");
return 0;
