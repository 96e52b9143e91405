using System.CommandLine;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Cli;

/// <summary><c>quantumedge check-config</c>: validate and print the effective configuration.</summary>
internal static class CheckConfigCommand
{
    public static Command Create()
    {
        var command = new Command("check-config", "Validate the configuration and the secrets it needs from the environment (JWT_SECRET, MASTER_KEY, the PostgreSQL connection string variable, api_key_env variables), and print the effective values (secrets masked).");
        command.SetAction(parse =>
        {
            var config = ConfigSource.Load(parse);
            // The same files serve loads for its listeners, so the two cannot disagree about them.
            ServerCertificate.CheckFiles(config.Server);
            Console.Out.Write(ConfigurationPrinter.Print(config));
            // serve needs these from the environment; a config that passes here must not fail there for want of them.
            var missing = RequiredSecrets.Check(config);
            foreach (var problem in missing)
            {
                Console.Error.WriteLine($"quantumedge: configuration error at '{problem.Variable}': {problem.Message}");
            }

            if (missing.Count > 0)
            {
                Console.Error.WriteLine($"configuration NOT OK ({config.Source}): {missing.Count} required secret(s) missing or too weak");
                return ExitCodes.Usage;
            }

            // serve stops on these at start; judged for the user running this (run it as the service's user).
            var unwritable = WriteAccess.Problems(config);
            foreach (var (key, problem) in unwritable)
            {
                Console.Error.WriteLine($"quantumedge: configuration error at '{key}': {problem}");
            }

            if (unwritable.Count > 0)
            {
                Console.Error.WriteLine($"configuration NOT OK ({config.Source}): {unwritable.Count} place(s) the node writes are not writable by user '{Environment.UserName}'");
                return ExitCodes.Usage;
            }

            // serve signs and derives keys with it at start: a binary copied without it must not pass here.
            if (QuantumEdge.Ledger.Crypto.SodiumLibrary.Problem() is { } sodium)
            {
                Console.Error.WriteLine($"quantumedge: {sodium}");
                Console.Error.WriteLine($"configuration NOT OK ({config.Source}): libsodium");
                return ExitCodes.Failure;
            }

            // Checked against this process's gen0 budget: the same binary under the same environment as serve.
            var heapLimit = (long)Hosting.GcHeapLimit.For(Hosting.MemoryUtilization.ParseQuantity(config.Resources.MemoryLimit));
            if (Hosting.GcSettings.HeapLimitProblem(heapLimit) is { } gcProblem)
            {
                Console.Error.WriteLine($"quantumedge: configuration error at 'resources.memory_limit': {config.Resources.MemoryLimit} is too small: {gcProblem}");
                Console.Error.WriteLine($"configuration NOT OK ({config.Source}): resources.memory_limit");
                return ExitCodes.Usage;
            }

            Console.Error.WriteLine($"configuration OK ({config.Source})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
