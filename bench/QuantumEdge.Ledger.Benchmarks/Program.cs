using System.Runtime;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using QuantumEdge.Ledger.Benchmarks;
using QuantumEdge.Ledger.Benchmarks.Allocation;
using QuantumEdge.Ledger.Benchmarks.Charges;
using QuantumEdge.Ledger.Benchmarks.Layout;
using QuantumEdge.Ledger.Benchmarks.Micro;
using QuantumEdge.Ledger.Benchmarks.Reporting;

// Durable charge throughput of the privacy ledger against a one-fsync-per-charge baseline;
// `--micro` runs the BenchmarkDotNet micro-benchmarks instead. Always exits 0 once it ran.
if (args.Length > 0 && args[0] == "--micro")
{
    // In-process: no separate generated project to build on a small box.
    var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    BenchmarkSwitcher.FromTypes([typeof(PolicyBenchmarks)]).Run(args[1..], config);
    return 0;
}

if (args.Length > 0 && args[0] == "--alloc")
{
    // Allocation per outcome record and per commit (issue 7 item 22): repeatable on a busy box.
    var sampleTypes = args.Contains("--alloc-types");
    var allocDir = args.SkipWhile(a => a != "--dir").Skip(1).FirstOrDefault() ?? Path.GetTempPath();
    await AuditAllocationReport.RunAsync(allocDir, sampleTypes, Console.Out);
    return 0;
}

if (args.Length > 0 && args[0] == "--layout")
{
    // Per-record cost of the audit collection by layout (issue 7 item 22): CPU and allocation, no fsync.
    var layoutDir = args.SkipWhile(a => a != "--dir").Skip(1).FirstOrDefault() ?? Path.GetTempPath();
    RecordLayoutReport.Run(layoutDir, Console.Out);
    return 0;
}

var options = LedgerBenchOptions.Parse(args, out var error);
if (options is null)
{
    if (error is not null)
    {
        Console.Error.WriteLine(error);
    }

    Console.Error.WriteLine(LedgerBenchOptions.Usage);
    return error is null ? 0 : 2;
}

Directory.CreateDirectory(options.Directory);
Console.WriteLine("QuantumEdge ledger benchmark");
Console.WriteLine($"  {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} logical CPUs, " +
    $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC");
Console.WriteLine($"  ledgers in {Path.GetFullPath(options.Directory)} (fresh directory per run; fsync must reach a real disk for the figures to mean anything)");
Console.WriteLine("  callers are distinct users with budgets of 1e6 (every charge is admitted), one charge in flight per caller");
Console.WriteLine();

var seconds = TimeSpan.FromSeconds(options.Seconds);
Console.WriteLine("warm-up: 1 s at 16 callers ...");
await LedgerChargeRun.RunAsync(options.Directory, 16, TimeSpan.FromSeconds(1));

var rows = new List<(ThroughputResult Ledger, ThroughputResult? Naive)>();
foreach (var callers in options.Callers)
{
    Console.WriteLine($"ledger   {callers,4} callers for {options.Seconds:0.#} s ...");
    var ledger = await LedgerChargeRun.RunAsync(options.Directory, callers, seconds);
    ThroughputResult? naive = null;
    if (options.Baseline)
    {
        Console.WriteLine($"baseline {callers,4} callers for {options.Seconds:0.#} s (one fsync per charge, {Math.Max(64, (int)ledger.BytesPerWrite)} B records) ...");
        naive = await NaiveFsyncRun.RunAsync(options.Directory, callers, seconds, Math.Max(64, (int)ledger.BytesPerWrite));
    }

    rows.Add((ledger, naive));
}

var postgresRows = new List<(int Replicas, ThroughputResult Result)>();
if (options.Postgres)
{
    // Durable settings (fsync on, synchronous_commit on): the same promise the LiteDB figures keep.
    Console.WriteLine("starting a throw-away local PostgreSQL (fsync on) ...");
    await using var server = await QuantumEdge.Tests.Shared.TemporaryPostgres.CreateAsync(durable: true);
    await PostgreSqlChargeRun.RunAsync(server, 1, 16, TimeSpan.FromSeconds(1));
    foreach (var replicas in options.Replicas)
    {
        foreach (var callers in options.Callers)
        {
            Console.WriteLine($"postgres {replicas} replica(s) {callers,4} callers for {options.Seconds:0.#} s ...");
            postgresRows.Add((replicas, await PostgreSqlChargeRun.RunAsync(server, replicas, callers, seconds)));
        }
    }
}

LedgerReport.Write(Console.Out, options, rows);
LedgerReport.WritePostgres(Console.Out, options, postgresRows);
return 0;
