using System.Text;
using ILGPU;
using ILGPU.Runtime;
using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Planning.Gpu.Kernels;
using static QuantumEdge.Planning.Gpu.Benchmarks.Invariant;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// Dense dSB throughput: the two launches of one step of <c>DeviceIsingSolver</c> with dense J
/// (force product J·s, then the symplectic step that also writes the signs) on a ±1 matrix made on
/// the device, timed over many steps; spin updates/s = steps × n × agents / s. Sampling, the
/// choice of the best agent and the host polish are not in the figure. The roofline section sets the
/// figures against the device's memory bandwidth and fp32 peak.
/// </summary>
internal static class DenseThroughputPart
{
    /// <summary>Bytes of state one spin update moves besides J: forces kernel reads s, writes f; step reads x, y, f, writes x, y, s.</summary>
    public const int StateBytes = 32;

    public static IReadOnlyList<BenchSection> Run(BenchContext context)
    {
        var accelerator = context.Accelerator;
        var stream = accelerator.DefaultStream;
        var fill = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, int, ulong>>(accelerator, BenchKernels.FillCouplings);
        var initialise = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ulong>>(accelerator, IsingKernels.Initialise);
        var sign = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>>>(accelerator, IsingKernels.Sign);
        var dense = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>>(accelerator, IsingKernels.DenseForces);
        var step = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, StepParameters, int>>(accelerator, IsingKernels.Step);
        var sizes = context.Quick ? new[] { 128, 256 } : [2_000, 8_000, 16_000];
        var agentCounts = context.Quick ? new[] { 8, 32 } : [64, 128, 256, 512, 1_024];
        var target = TimeSpan.FromSeconds(context.Quick ? 0.05 : 0.4);
        var peak = DevicePeaks.Of(accelerator);
        var table = new TextTable("n", "agents", "steps", "ms/step", "spin updates/s");
        var roofline = new TextTable("n", "agents", "B/update (ideal)", "B/update (no reuse)", "flop/B", "memory roof/s", "fp32 roof/s", "measured/s", "% of roof");
        var skipped = new List<string>();
        foreach (var n in sizes)
        {
            if (context.OutOfTime)
            {
                skipped.Add(context.OutOfTimeNote);
                break;
            }

            if (4L * n * n > accelerator.MemorySize * 0.6)
            {
                skipped.Add($"n = {n}: J alone ({4L * n * n >> 20} MiB) exceeds 60% of the device's memory");
                continue;
            }

            using var couplings = accelerator.Allocate1D<float>((long)n * n);
            fill(stream, (int)couplings.Length, couplings.View, n, 2026UL);
            foreach (var agents in agentCounts)
            {
                if (context.OutOfTime)
                {
                    skipped.Add(context.OutOfTimeNote);
                    break;
                }

                var size = (long)n * agents;
                if ((4L * n * n) + (5 * size * sizeof(float)) > accelerator.MemorySize * 0.8 || size > int.MaxValue)
                {
                    skipped.Add($"n = {n}, agents = {agents}: does not fit");
                    continue;
                }

                using var x = accelerator.Allocate1D<float>(size);
                using var y = accelerator.Allocate1D<float>(size);
                using var signs = accelerator.Allocate1D<float>(size);
                using var forces = accelerator.Allocate1D<float>(size);
                using var field = accelerator.Allocate1D<float>(n);
                field.MemSetToZero();
                initialise(stream, (int)size, x.View, y.View, 7UL);
                sign(stream, (int)size, x.View, signs.View);
                var grid = new Index1D(checked(agents * n));
                // A mid-ramp step: the pressure term is what makes the step kernel do its full work.
                var parameters = StepParameters.For(0.5f, 0.5f / MathF.Sqrt(n), 1f, 0.5f);
                var (steps, seconds) = KernelClock.Time(accelerator, () =>
                {
                    dense(stream, grid, couplings.View, signs.View, forces.View, n, agents);
                    step(stream, (int)size, x.View, y.View, forces.View, field.View, signs.View, parameters, agents);
                }, target);
                var rate = steps * (double)size / seconds;
                table.Add(Format(n), Format(agents), Format(steps), Format(seconds * 1e3 / steps, "F3"), Rate(rate));
                context.Log($"dense n={n} agents={agents}: {Rate(rate)} spin updates/s ({steps} steps in {Format(seconds, "F2")} s)");

                var ideal = (4.0 * n / agents) + StateBytes;
                var noReuse = (8.0 * n) + StateBytes;
                var flops = 2.0 * n;
                double? memoryRoof = peak.BytesPerSecond / ideal;
                double? computeRoof = peak.FlopsPerSecond / flops;
                double? roof = memoryRoof is { } m ? (computeRoof is { } c ? Math.Min(m, c) : m) : null;
                roofline.Add(Format(n), Format(agents), Format(ideal, "F1"), Format(noReuse, "F0"), Format(flops / ideal, "F1"),
                    memoryRoof is { } mr ? Rate(mr) : "n/a", computeRoof is { } cr ? Rate(cr) : "n/a", Rate(rate), roof is { } r ? Format(100 * rate / r, "F1") : "n/a");
            }
        }

        var notes = skipped.Count == 0 ? "" : "\n" + string.Join("\n", skipped.Distinct()) + "\n";
        var throughput = new BenchSection("Dense SB throughput",
            "dSB step with dense J (fp32, ±1 couplings made on the device): force product + symplectic step, timed over many steps; "
            + "sampling, the choice of the best agent and the host polish excluded. Spin updates/s = steps × n × agents / seconds.\n\n"
            + $"```\n{table}```\n{notes}");
        var text = new StringBuilder();
        text.Append("Bytes moved per spin update (one variable of one agent advanced one step), fp32:\n\n");
        text.Append("- ideal reuse (J streamed once per step for all agents, state read/written once): `B = 4·n/A + 32` ");
        text.Append("(J: 4·n² bytes per step over n·A updates; state: forces kernel reads s, writes f = 8; step kernel reads x, y, f, writes x, y, s = 24)\n");
        text.Append("- no reuse (every thread reads its J row and the agent's state column from memory): `B = 8·n + 32`\n");
        text.Append("- work: `2·n` flop per spin update (one multiply-add per coupling), so arithmetic intensity `2n / (4n/A + 32)` flop/B\n");
        text.Append("- roof: `min(bandwidth / B_ideal, fp32 peak / 2n)` spin updates/s\n\n");
        text.Append(peak.BytesPerSecond is { } bandwidth
            ? $"Device peaks: {Format(bandwidth / 1e9, "F0")} GB/s memory, {(peak.FlopsPerSecond is { } f ? Format(f / 1e12, "F1") + " TFLOP/s fp32" : "fp32 peak unknown")} ({peak.Source}).\n\n"
            : $"Device peaks: none ({peak.Source}); the byte counts stand, the roof cannot be drawn.\n\n");
        text.Append("```\n" + roofline + "```\n" + notes);
        return [throughput, new BenchSection("Dense-SB roofline", text.ToString())];
    }
}
