using System.Diagnostics;
using QuantumEdge.Benchmarks.Measurement;

namespace QuantumEdge.Ledger.Benchmarks.Charges;

/// <summary>
/// The baseline a group-committing ledger has to beat: an append-only file where each charge
/// writes its record and fsyncs before it is acknowledged (FileStream.Write + Flush(true)), one
/// writer at a time. Callers beyond one just queue for the file.
/// </summary>
public static class NaiveFsyncRun
{
    public static async Task<ThroughputResult> RunAsync(string root, int callers, TimeSpan duration, int recordBytes)
    {
        var directory = Path.Combine(root, "qe-naive-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var stream = new FileStream(Path.Combine(directory, "charges.log"), FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
            await using (stream.ConfigureAwait(false))
            {
                using var gate = new SemaphoreSlim(1, 1);
                var record = new byte[Math.Max(1, recordBytes)];
                Random.Shared.NextBytes(record);
                var latency = new LatencyRecorder((int)Math.Min(int.MaxValue / 2, 50_000 * Math.Max(1, duration.TotalSeconds)));
                long written = 0;
                var started = Stopwatch.GetTimestamp();
                var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
                var loops = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
                {
                    while (Stopwatch.GetTimestamp() < deadline)
                    {
                        var t0 = Stopwatch.GetTimestamp();
                        await gate.WaitAsync().ConfigureAwait(false);
                        try
                        {
                            stream.Write(record);
                            stream.Flush(flushToDisk: true);
                        }
                        finally
                        {
                            gate.Release();
                        }

                        latency.RecordSince(t0);
                        Interlocked.Increment(ref written);
                    }
                })).ToArray();
                await Task.WhenAll(loops).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started);
                return new ThroughputResult(callers, written, 0, elapsed, written, written, stream.Length, latency.Snapshot());
            }
        }
        finally
        {
            LedgerChargeRun.TryDelete(directory);
        }
    }
}
