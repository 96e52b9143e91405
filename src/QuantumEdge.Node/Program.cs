using System.CommandLine;
using System.Runtime.InteropServices;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Cli;

namespace QuantumEdge.Node;

/// <summary>The <c>quantumedge</c> executable.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("QuantumEdge: an on-premises LLM gateway for hospitals.")
        {
            ServeCommand.Create(),
            DemoCommand.Create(),
            SimBackendCommand.Create(),
            CheckConfigCommand.Create(),
            TokenCommand.Create(),
            new Command("privacy", "Privacy accounting: the RDP calculator and the privacy audit report.") { PrivacyEpsilonCommand.Create(), PrivacyReportCommand.Create(), PrivacySubjectCommand.Create() },
            PlanCommand.Create(),
            AuditCommand.Create(),
            FederationCommand.Create(),
            BackupCommands.Backup(),
            BackupCommands.Restore(),
            BackupCommands.Keygen(),
            ProbeCommand.Create(),
            AdminCommand.Create(),
            IncidentCommand.Create(),
        };
        root.Options.Add(ConfigSource.Option);
        // No response files: a value that starts with @ ("--reason @oncall", a user name) is that value, never the contents of a file spliced in as more options.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"quantumedge: {error.Message}");
            }

            await Console.Error.WriteLineAsync("run 'quantumedge --help' for usage");
            return ExitCodes.Usage;
        }

        // SIGTERM and Ctrl+C cancel the verb's token and let it finish cleanly (exit 0); `serve`
        // additionally stops through the host's own lifetime, draining requests and closing the ledger.
        using var stopping = new CancellationTokenSource();
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopping.Cancel(); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stopping.Cancel(); });
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, stopping.Token);
        }
        catch (NodeNotRunningException e)
        {
            await Console.Error.WriteLineAsync($"quantumedge: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"quantumedge: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (QuantumEdge.Ledger.Crypto.SodiumLibrary.Describe(e) is { } missingLibrary)
        {
            await Console.Error.WriteLineAsync($"quantumedge: {missingLibrary}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"quantumedge: {e.GetType().Name}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
