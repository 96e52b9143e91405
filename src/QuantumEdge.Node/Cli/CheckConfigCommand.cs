using System.CommandLine;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Cli;

/// <summary><c>quantumedge check-config</c>: validate and print the effective configuration.</summary>
internal static class CheckConfigCommand
{
    public static Command Create()
    {
        var command = new Command("check-config", "Validate the configuration and print the effective values (secrets masked).");
        command.SetAction(parse =>
        {
            var config = ConfigSource.Load(parse);
            // The same files serve loads for its listeners, so the two cannot disagree about them.
            ServerCertificate.CheckFiles(config.Server);
            Console.Out.Write(ConfigurationPrinter.Print(config));
            Console.Error.WriteLine($"configuration OK ({config.Source})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
