using System.CommandLine;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// Where a verb's configuration comes from: <c>--config PATH</c>, else <c>$QUANTUM_CONFIG_PATH</c>,
/// else the embedded development configuration.
/// </summary>
internal static class ConfigSource
{
    public static readonly Option<string?> Option = new("--config", "-c")
    {
        Description = "Path to the YAML configuration (default: $QUANTUM_CONFIG_PATH, then the embedded development config).",
        Recursive = true,
    };

    public static NodeConfiguration Load(ParseResult parse)
    {
        var path = parse.GetValue(Option);
        if (path is { Length: 0 })
        {
            // "--config $UNSET_VARIABLE" in a unit file: falling back to the development config would serve it in production.
            throw new ConfigurationException("--config", "is empty: name the configuration file, or leave --config out to use $QUANTUM_CONFIG_PATH (then the embedded development config)");
        }

        if (path is null)
        {
            path = Environment.GetEnvironmentVariable("QUANTUM_CONFIG_PATH");
            if (path is { Length: 0 })
            {
                // "QUANTUM_CONFIG_PATH=" in an environment file: the same mistake as an empty --config.
                throw new ConfigurationException("QUANTUM_CONFIG_PATH", "is set but empty: name the configuration file, or unset it to use the embedded development config");
            }
        }

        return string.IsNullOrEmpty(path) ? LoadEmbedded() : ConfigurationLoader.LoadFile(path);
    }

    /// <summary>
    /// <see cref="Load"/> for the verbs that act on a node's ledger (backup, restore, audit, privacy
    /// report): unless --config named the file, says on stderr which configuration, and so which data
    /// directory, they act on, so that a missing flag never goes unnoticed.
    /// </summary>
    public static NodeConfiguration LoadForAdmin(ParseResult parse)
    {
        var config = Load(parse);
        if (string.IsNullOrEmpty(parse.GetValue(Option)))
        {
            var origin = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("QUANTUM_CONFIG_PATH"))
                ? "no --config or QUANTUM_CONFIG_PATH given"
                : "no --config given; QUANTUM_CONFIG_PATH";
            Console.Error.WriteLine($"quantumedge: {origin}: using {config.Source} (ledger in {Path.GetFullPath(config.Storage.ResolveLedgerDir(config.Node))})");
        }

        return config;
    }

    public static NodeConfiguration LoadEmbedded(Func<string, string?>? environment = null) =>
        ConfigurationLoader.Parse(EmbeddedText("development.yaml"), "embedded development config", environment);

    public static string EmbeddedText(string name)
    {
        using var stream = typeof(ConfigSource).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource '{name}' is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
