using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Gateway.Benchmarks.Hosting;
using QuantumEdge.Gateway.Benchmarks.Load;

namespace QuantumEdge.Gateway.Benchmarks;

/// <summary>
/// Runs every pass against one stack: the same load straight to the simulated backend and through
/// the gateway, open loop (latency at a fixed rate), closed loop (throughput at saturation) and
/// streaming (time to first byte).
/// </summary>
internal sealed class GatewayBenchmark(BenchOptions options, BenchStack stack, TextWriter log)
{
    public async Task<GatewayRunResults> RunAsync()
    {
        var direct = Target("direct (sim)", stack.DirectClient, stack.DirectChat, "public", stream: false);
        var yarp = Target("bare YARP proxy", stack.YarpClient, stack.YarpChat, "public", stream: false);
        var gatewayPublic = Target("gateway public", stack.GatewayClient, stack.GatewayChat, "public", stream: false);
        var gatewayPhi = Target("gateway phi", stack.GatewayClient, stack.GatewayChat, "phi", stream: false);
        var streamDirect = Target("direct (sim) stream", stack.DirectClient, stack.DirectChat, "public", stream: true);
        var streamGateway = Target("gateway public stream", stack.GatewayClient, stack.GatewayChat, "public", stream: true);

        if (options.WarmupSeconds > 0)
        {
            log.WriteLine($"warm-up: {options.WarmupSeconds:0.#} s closed loop per path ...");
            var warm = TimeSpan.FromSeconds(options.WarmupSeconds);
            foreach (var t in new[] { direct, yarp, gatewayPublic, gatewayPhi })
            {
                Check(await ClosedLoopRunner.RunAsync(t, Math.Min(16, options.Concurrency), warm).ConfigureAwait(false), warmup: true);
            }

            foreach (var t in new[] { streamDirect, streamGateway })
            {
                Check(await ClosedLoopRunner.RunAsync(t, 4, warm / 4).ConfigureAwait(false), warmup: true);
            }
        }

        var open = options.Passes.HasFlag(BenchPasses.Open) ? await OpenPassesAsync(direct, yarp, gatewayPublic, gatewayPhi).ConfigureAwait(false) : null;
        var saturation = options.Passes.HasFlag(BenchPasses.Saturation) ? await SaturationPassesAsync(direct, yarp, gatewayPublic, gatewayPhi).ConfigureAwait(false) : null;
        var single = options.Passes.HasFlag(BenchPasses.Single) ? await SinglePassesAsync(direct, yarp, gatewayPublic).ConfigureAwait(false) : null;
        StreamResults? streaming = null;
        if (options.Passes.HasFlag(BenchPasses.Stream))
        {
            var streamSeconds = TimeSpan.FromSeconds(options.StreamSeconds);
            streaming = new StreamResults(
                await OpenAsync(streamDirect, options.StreamRps, streamSeconds).ConfigureAwait(false),
                await OpenAsync(streamGateway, options.StreamRps, streamSeconds).ConfigureAwait(false));
        }

        return new GatewayRunResults(open, saturation, single, streaming);
    }

    private async Task<OpenResults> OpenPassesAsync(LoadTarget direct, LoadTarget yarp, LoadTarget gatewayPublic, LoadTarget gatewayPhi)
    {
        var seconds = TimeSpan.FromSeconds(options.Seconds);
        var openDirect = await OpenAsync(direct, options.Rps, seconds).ConfigureAwait(false);
        var openYarp = await OpenAsync(yarp, options.Rps, seconds).ConfigureAwait(false);
        var before = Ledger();
        var openPublic = await OpenAsync(gatewayPublic, options.Rps, seconds).ConfigureAwait(false);
        var publicLedger = Since(before);
        before = Ledger();
        var openPhi = await OpenAsync(gatewayPhi, options.Rps, seconds).ConfigureAwait(false);
        return new OpenResults(openDirect, openYarp, openPublic, openPhi, publicLedger, Since(before));
    }

    private async Task<SaturationResults> SaturationPassesAsync(LoadTarget direct, LoadTarget yarp, LoadTarget gatewayPublic, LoadTarget gatewayPhi)
    {
        var saturation = TimeSpan.FromSeconds(options.SaturationSeconds);
        var closedDirect = await ClosedAsync(direct, saturation).ConfigureAwait(false);
        var closedYarp = await ClosedAsync(yarp, saturation).ConfigureAwait(false);
        var before = Ledger();
        var closedPublic = await ClosedAsync(gatewayPublic, saturation).ConfigureAwait(false);
        var publicLedger = Since(before);
        before = Ledger();
        var closedPhi = await ClosedAsync(gatewayPhi, saturation).ConfigureAwait(false);
        return new SaturationResults(closedDirect, closedYarp, closedPublic, closedPhi, publicLedger, Since(before));
    }

    /// <summary>
    /// One connection, one request at a time: the added latency with no queueing at all. Short
    /// repetitions, the three paths interleaved, so that a noisy moment on the box shows as one
    /// bad repetition (the median of the p99s stays honest) instead of one bad path.
    /// </summary>
    private async Task<SingleResults> SinglePassesAsync(LoadTarget direct, LoadTarget yarp, LoadTarget gatewayPublic)
    {
        var single = TimeSpan.FromSeconds(options.SingleSeconds);
        var directRuns = new List<PassResult>();
        var yarpRuns = new List<PassResult>();
        var publicRuns = new List<PassResult>();
        var publicLedger = new LedgerActivity(0, 0);
        for (var i = 0; i < options.SingleRepeats; i++)
        {
            directRuns.Add(await ClosedAsync(direct, single, workers: 1).ConfigureAwait(false));
            yarpRuns.Add(await ClosedAsync(yarp, single, workers: 1).ConfigureAwait(false));
            var before = Ledger();
            publicRuns.Add(await ClosedAsync(gatewayPublic, single, workers: 1).ConfigureAwait(false));
            publicLedger += Since(before);
        }

        return new SingleResults(directRuns, yarpRuns, publicRuns, publicLedger);
    }

    private LoadTarget Target(string name, HttpClient client, Uri endpoint, string classification, bool stream) =>
        new(name, client, new ChatRequestFactory(endpoint, BenchStack.Model, classification, stream, stack.Tokens, options.FreshConnections));

    private async Task<PassResult> OpenAsync(LoadTarget target, double rate, TimeSpan duration)
    {
        Settle();
        log.WriteLine($"open loop   {target.Name,-22} {rate:0} RPS for {duration.TotalSeconds:0.#} s ...");
        return Check(await OpenLoopRunner.RunAsync(target, rate, duration, options.MaxRequests, options.Arrival).ConfigureAwait(false));
    }

    private async Task<PassResult> ClosedAsync(LoadTarget target, TimeSpan duration, int? workers = null)
    {
        Settle();
        var count = workers ?? options.Concurrency;
        log.WriteLine($"closed loop {target.Name,-22} {count} workers for {duration.TotalSeconds:0.#} s ...");
        var sampler = options.AllocationTypes && workers is null ? new AllocationSampler() : null;
        sampler?.Start();
        var result = Check(await ClosedLoopRunner.RunAsync(target, count, duration).ConfigureAwait(false));
        if (sampler is not null)
        {
            foreach (var (type, share) in sampler.Stop(top: 25))
            {
                log.WriteLine($"    {share,6:P1}  {type}");
            }
        }

        return result;
    }

    private PassResult Check(PassResult result, bool warmup = false)
    {
        if (result.Failed > 0)
        {
            log.WriteLine($"  WARNING {(warmup ? "(warm-up) " : "")}{result.Name}: {result.Failed} of {result.Sent} requests failed; first: {result.FirstError}");
        }

        return result;
    }

    /// <summary>Each pass starts from a collected heap so that one pass's garbage is not another's pause.</summary>
    private static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    private LedgerActivity Ledger() => stack.Node.Ledger.CommitStats is { } s ? new(s.Commits, s.Operations) : new(0, 0);

    private LedgerActivity Since(LedgerActivity before)
    {
        var now = Ledger();
        return new LedgerActivity(now.Commits - before.Commits, now.Operations - before.Operations);
    }
}
