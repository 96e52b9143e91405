using System.CommandLine;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Cli;

namespace QuantumEdge.Node;

/// <summary>The <c>quantumedge</c> executable.</summary>
public static class Program
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
            new Command("privacy", "Privacy accounting: the RDP calculator and budget reports.") { PrivacyEpsilonCommand.Create() },
        };
        root.Options.Add(ConfigSource.Option);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"quantumedge: {error.Message}");
            }

            await Console.Error.WriteLineAsync("run 'quantumedge --help' for usage");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"quantumedge: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"quantumedge: {e.GetType().Name}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
