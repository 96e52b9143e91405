using System.Diagnostics;
using QuantumEdge.Benchmarks.Measurement;

namespace QuantumEdge.Gateway.Benchmarks.Load;

/// <summary>
/// Fixed arrival rate, independent of how fast answers come back (so a slow server cannot slow
/// the load down and hide its own latency). A dedicated thread releases every request whose
/// planned time has come and then sleeps 1 ms: no spinning, because the client shares the two
/// cores with the gateway and the backend. Requests therefore leave up to ~1 ms late; that lag is
/// measured and reported, and each latency is timed from the moment its request actually left.
/// </summary>
internal static class OpenLoopRunner
{
    public static async Task<PassResult> RunAsync(LoadTarget target, double rate, TimeSpan duration, long maxRequests, ArrivalPattern arrival, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(target);
        var planned = (long)Math.Min(maxRequests, Math.Ceiling(rate * duration.TotalSeconds));
        var capacity = (int)Math.Min(planned, int.MaxValue);
        var counters = new PassCounters();
        var latency = new LatencyRecorder(capacity);
        var total = new LatencyRecorder(target.Requests.Streaming ? capacity : 1);
        var lag = new LatencyRecorder(capacity);
        var inFlight = new List<Task>(capacity);
        var random = new Random(seed);
        var ticksPerRequest = Stopwatch.Frequency / rate;
        using var stalls = new StallWatch();
        var started = Stopwatch.GetTimestamp();

        var dispatcher = new Thread(() =>
        {
            var due = 0.0;
            for (long i = 0; i < planned; i++)
            {
                var dueAt = started + (long)due;
                while (Stopwatch.GetTimestamp() < dueAt)
                {
                    Thread.Sleep(1);
                }

                lag.Record(Stopwatch.GetElapsedTime(dueAt).TotalMilliseconds);
                inFlight.Add(ChatExchange.RunAsync(target, i, counters, latency, total));
                due += arrival == ArrivalPattern.Even
                    ? ticksPerRequest
                    : -Math.Log(1 - random.NextDouble()) * ticksPerRequest;
            }
        })
        { IsBackground = true, Name = "open-loop dispatcher" };
        dispatcher.Start();
        await Task.Run(dispatcher.Join).ConfigureAwait(false);
        await Task.WhenAll(inFlight).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new PassResult(target.Name, counters.Sent, counters.Ok, counters.Failed, counters.FirstError, elapsed,
            latency.Snapshot(), total.Snapshot(), lag.Snapshot())
        {
            Stalls = stalls.Stop(),
        };
    }
}
