using System.Diagnostics;
using System.Globalization;
using System.Text;
using QuantumEdge.Planning.Gpu.Devices;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// Opens the accelerator, runs the chosen parts in order and assembles the markdown report. A part
/// that throws becomes a failed section naming the error; the other parts still run.
/// </summary>
internal static class GpuBench
{
    public static BenchReport Run(BenchOptions options, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (context, accelerator) = AcceleratorChoice.Open(options.Accelerator);
        using (context)
        using (accelerator)
        {
            var bench = new BenchContext(accelerator, options, progress);
            var sections = new List<BenchSection>();
            var header = new StringBuilder();
            header.Append("# GPU planner bench\n\n");
            header.Append(CultureInfo.InvariantCulture, $"- accelerator: {bench.Kind} — {accelerator.Name}{(bench.IsGpu ? "" : " (ILGPU's CPU accelerator — NOT a GPU; figures say nothing about GPU speed)")}\n");
            header.Append(CultureInfo.InvariantCulture, $"- mode: {(options.Quick ? "--quick (sizes scaled down)" : "full")}; parts: {string.Join(", ", options.Parts)}; part limit {options.PartLimit.TotalSeconds:F0} s\n");
            header.Append(CultureInfo.InvariantCulture, $"- host: {Environment.ProcessorCount} logical cores, {Environment.OSVersion}, .NET {Environment.Version}; started {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC\n");
            progress.Write(header.ToString());
            foreach (var name in options.Parts)
            {
                bench.StartPart();
                var clock = Stopwatch.StartNew();
                bench.Log($"== {name}");
                try
                {
                    foreach (var section in BenchParts.Of(name)(bench))
                    {
                        sections.Add(section);
                        progress.Write(section.Markdown);
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    var failed = new BenchSection($"{name}: failed", $"{e.GetType().Name}: {e.Message}", Passed: false);
                    sections.Add(failed);
                    progress.Write(failed.Markdown);
                }

                bench.Log(string.Create(CultureInfo.InvariantCulture, $"== {name} took {clock.Elapsed.TotalSeconds:F1} s"));
            }

            var markdown = new StringBuilder(header.ToString());
            foreach (var section in sections)
            {
                markdown.Append('\n').Append(section.Markdown);
            }

            return new BenchReport(markdown.ToString(), sections, sections.All(s => s.Passed));
        }
    }
}

/// <summary>The whole report and its sections; <see cref="Succeeded"/> when every check passed.</summary>
internal sealed record BenchReport(string Markdown, IReadOnlyList<BenchSection> Sections, bool Succeeded);
