using System.Runtime;
using System.Runtime.InteropServices;
using QuantumEdge.Gateway.Benchmarks;
using QuantumEdge.Gateway.Benchmarks.Hosting;
using QuantumEdge.Gateway.Benchmarks.Reporting;

// Gateway overhead: the same load straight to a simulated backend and through an in-process
// gateway node. Prints measurements and PASS/MISS against the product's targets (README, Performance); always exits 0 once it ran.
// --serve-yarp only hosts the bare YARP baseline for the out-of-process bench (bench/wrk/run.sh).
if (args.Length > 0 && args[0] == YarpServeMode.Flag)
{
    return await YarpServeMode.RunAsync(args);
}

if (ShippedGcBudget.RunInChildUnlessSet(args) is { } childExit)
{
    return childExit;
}

var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    if (error is not null)
    {
        Console.Error.WriteLine(error);
    }

    Console.Error.WriteLine(BenchOptions.Usage);
    return error is null ? 0 : 2;
}

Console.WriteLine("QuantumEdge gateway benchmark");
Console.WriteLine($"  {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, " +
    $"{Environment.ProcessorCount} logical CPUs, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
Console.WriteLine($"  {QuantumEdge.Node.Hosting.GcSettings.Describe()}");
Console.WriteLine($"        {ShippedGcBudget.Note()}; the node, the bare YARP baseline and the simulated backend all run under it (one process, one GC)");
Console.WriteLine($"  NOTE: the load generator, the gateway node and the simulated backend all run in this one process and share these {Environment.ProcessorCount} cores,");
Console.WriteLine("        so every figure includes client and backend CPU contention; a dedicated gateway host would do better.");
Console.WriteLine("  backend: SimulatedBackend, TimeScale 0 (answers at once: what is measured is HTTP + gateway cost, not a model)");
Console.WriteLine($"  gateway: GatewayNode on loopback, real ledger (group commit, fsync) in {Path.GetTempPath()}, {options.Users} distinct users, privacy.max_budget_per_user 1e6, " +
    $"storage.audit_commit_linger_ms {options.AuditCommitLingerMs ?? new QuantumEdge.Gateway.Configuration.StorageSettings().AuditCommitLingerMs}");
if (options.FreshConnections)
{
    Console.WriteLine("  DIAGNOSTIC MODE: Connection: close on every request (direct and gateway); not the production shape");
}

Console.WriteLine();

// The gateway's per-backend limit sits above the offered concurrency so that it never queues here.
await using var stack = await BenchStack.StartAsync(options.Users, backendConcurrency: Math.Max(256, options.Concurrency * 2), options.AuditCommitLingerMs);
var results = await new GatewayBenchmark(options, stack, Console.Out).RunAsync();
GatewayReport.Write(Console.Out, options, results);
return 0;
