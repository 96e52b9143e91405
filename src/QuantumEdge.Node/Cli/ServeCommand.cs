using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Cli;

/// <summary><c>quantumedge serve</c>: run the node until SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the node: API on server.urls, metrics on server.metrics_url.");
        command.SetAction(async (parse, ct) =>
        {
            var started = Stopwatch.GetTimestamp();
            var config = ConfigSource.Load(parse);
            // A backend's missing key only makes that backend unhealthy (its health says why); these stop the node.
            var missing = RequiredSecrets.Check(config).FindAll(p => p.Variable is "JWT_SECRET" or "MASTER_KEY" || p.Variable == config.Storage.PostgreSql.ConnectionStringEnv);
            if (missing.Count > 0)
            {
                foreach (var problem in missing)
                {
                    await Console.Error.WriteLineAsync($"quantumedge: configuration error at '{problem.Variable}': {problem.Message}");
                }

                return ExitCodes.Usage;
            }

            // Before anything is opened: a ledger file left by a run as root would otherwise stop the node with a bare "access denied".
            var unwritable = WriteAccess.Problems(config);
            if (unwritable.Count > 0)
            {
                foreach (var (key, problem) in unwritable)
                {
                    await Console.Error.WriteLineAsync($"quantumedge: configuration error at '{key}': {problem}");
                }

                return ExitCodes.Usage;
            }

            long heapLimit;
            try
            {
                heapLimit = GcHeapLimit.Apply(GcHeapLimit.For(MemoryUtilization.ParseQuantity(config.Resources.MemoryLimit)));
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync($"quantumedge: configuration error at 'resources.memory_limit': {config.Resources.MemoryLimit} is too small for the node's heap ({e.Message})");
                return ExitCodes.Usage;
            }

            if (GcSettings.HeapLimitProblem(heapLimit) is { } gcProblem)
            {
                await Console.Error.WriteLineAsync($"quantumedge: configuration error at 'resources.memory_limit': {config.Resources.MemoryLimit} is too small: {gcProblem}");
                return ExitCodes.Usage;
            }

            CpuLimit.Apply(config.Resources.CpuLimit);
            await using var node = GatewayNode.Create(config, new NodeHostOptions { Systemd = true, ProcessMetrics = true, LocalAdminSocket = true });
            // Declared before the registration, so disposed after it: the inherited "ignore" is back before the node closes.
            using var inheritedHangup = Hosting.Reload.InheritedHangup.Unignore();
            // SIGHUP (systemctl reload) re-reads the configuration file; without this it would end the process.
            using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
            {
                signal.Cancel = true;
                _ = Task.Run(() => ReloadOnHangupAsync(node), CancellationToken.None);
            });
            await node.StartAsync(ct);
            var logger = node.Services.GetRequiredService<ILoggerFactory>().CreateLogger("QuantumEdge.Node");
            logger.LogInformation("node {Node} ready in {Ms:F1} ms: API {Api}, metrics {Metrics}/metrics, {Backends} backends, config {Source}",
                config.Node.Id, Stopwatch.GetElapsedTime(started).TotalMilliseconds, node.ApiAddress, node.MetricsAddress, config.Backends.Count, config.Source);
            logger.LogInformation("{GcSettings}", GcSettings.Describe());
            if (inheritedHangup.WasIgnored)
            {
                logger.LogInformation("SIGHUP was ignored when the node started (nohup?); here it reloads the configuration, as under systemd");
            }

            await node.WaitForShutdownAsync(CancellationToken.None);
            logger.LogInformation("node {Node} stopping", config.Node.Id);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Runs one SIGHUP reload. The reloader reports a file it cannot use itself; anything else it throws is logged
    /// here, because the signal's task has no caller to see it and a reload must never vanish without a line.
    /// </summary>
    private static async Task ReloadOnHangupAsync(GatewayNode node)
    {
        var logger = node.Services.GetRequiredService<ILoggerFactory>().CreateLogger("QuantumEdge.Node");
        logger.LogInformation("configuration reload requested (SIGHUP)");
        try
        {
            await node.Reloader.ReloadAsync("SIGHUP").ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError("configuration reload (SIGHUP) failed, the running configuration is kept as far as it was applied: {Type}: {Error}",
                e.GetType().Name, e.Message);
        }
    }
}
