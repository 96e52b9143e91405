using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// Reads the YAML configuration strictly (unknown keys, wrong types and out-of-range values
/// are errors that name the key), then applies the deployment guide's environment variables.
/// </summary>
public static class ConfigurationLoader
{
    /// <summary>Environment variables the deployment guide documents, and the key each overrides.</summary>
    public static readonly IReadOnlyList<(string Variable, string Key)> EnvironmentOverrides =
    [
        ("LOG_LEVEL", "logging.level"),
        ("WORKERS", "server.workers"),
        ("JWT_SECRET", "auth (HS256 signing secret)"),
        ("MASTER_KEY", "ledger encryption key"),
        ("QUANTUM_COHERENCE_THRESHOLD", "quantum_planning.coherence_threshold"),
        ("MAX_ENTANGLED_TASKS", "quantum_planning.max_entangled_tasks"),
        ("OPTIMIZATION_STRATEGY", "quantum_planning.optimization_strategy"),
    ];

    /// <summary>Deepest nesting of mappings and lists a configuration may have (the node's own needs 4).</summary>
    public const int MaxNestingDepth = 64;

    public static NodeConfiguration LoadFile(string path, Func<string, string?>? environment = null)
    {
        var text = RegularFile.ReadConfiguration(path);
        return Parse(text, Path.GetFullPath(path), environment, fromFile: true);
    }

    public static NodeConfiguration Parse(string yaml, string source, Func<string, string?>? environment = null) =>
        Parse(yaml, source, environment, fromFile: false);

    private static NodeConfiguration Parse(string yaml, string source, Func<string, string?>? environment, bool fromFile)
    {
        environment ??= Environment.GetEnvironmentVariable;
        YamlMappingNode? root = null;
        try
        {
            RejectDeepNesting(yaml);
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count > 1)
            {
                throw new ConfigurationException("(file)", "holds more than one YAML document");
            }

            if (stream.Documents.Count == 1)
            {
                root = stream.Documents[0].RootNode switch
                {
                    YamlMappingNode m => m,
                    YamlScalarNode { Value: null or "" } => null,
                    _ => throw new ConfigurationException("(file)", "the top level must be a mapping of blocks"),
                };
            }
        }
        catch (AnchorNotFoundException e) when (AliasLocation(yaml, e.Message) is { } at)
        {
            // The parser reports an undefined alias where the document starts, not where the alias stands.
            throw new ConfigurationException("(file)", $"invalid YAML at line {at.Line}, column {at.Column}: {e.Message}");
        }
        catch (YamlException e) when (OverlongKey(yaml, (int)e.Start.Line))
        {
            // The parser's own words ("did not find expected key") point at the key it did find, not at its length.
            throw new ConfigurationException("(file)",
                $"invalid YAML at line {e.Start.Line}, column {e.Start.Column}: a key longer than 1,024 characters, more than YAML allows a key (no setting has one)");
        }
        catch (YamlException e)
        {
            throw new ConfigurationException("(file)", $"invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }

        if (fromFile && (root is null || root.Children.Count == 0))
        {
            // A file cut short by an editor, a '>' redirect or a failed write would otherwise be every default:
            // no backends, another data directory, so on a reload a node dropping all its backends.
            throw new ConfigurationException("(file)", "holds no settings (it is empty, or only comments): a truncated file is not taken for a configuration of every default");
        }

        var r = new YamlSection(root, "");
        var backends = new List<BackendSettings>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var b in r.SectionList("backends"))
        {
            var backend = BackendSettings.Read(b);
            if (!ids.Add(backend.Id))
            {
                throw new ConfigurationException(b.KeyPath("id"), $"duplicate backend id '{backend.Id}'");
            }

            backends.Add(backend);
        }

        var node = NodeSettings.Read(r.Section("node"));
        var server = ServerSettings.Read(r.Section("server"));
        var config = new NodeConfiguration
        {
            Source = source,
            Node = node,
            Server = server,
            Auth = AuthSettings.Read(r.Section("auth")),
            Backends = backends,
            Logging = LoggingSettings.Read(r.Section("logging")),
            Privacy = PrivacySettings.Read(r.Section("privacy")),
            Security = SecuritySettings.Read(r.Section("security")),
            QuantumPlanning = QuantumPlanningSettings.Read(r.Section("quantum_planning")),
            Performance = PerformanceSettings.Read(r.Section("performance")),
            Resources = ResourceSettings.Read(r.Section("resources")),
            Compliance = ComplianceSettings.Read(r.Section("compliance")),
            Storage = StorageSettings.Read(r.Section("storage")),
            Federation = FederationSettings.Read(r.Section("federation"), node.Id, backends, server),
            Batch = BatchSettings.Read(r.Section("batch")),
        };
        r.RejectUnknownKeys();
        RejectNodeSecretsAsBackendKeys(config);
        return ApplyEnvironment(config, environment);
    }

    /// <summary>
    /// A backend's key is sent to it with every request: naming one of the node's own secrets there
    /// would hand whoever runs (or overhears) that backend the power to mint tokens or read the ledger.
    /// </summary>
    private static void RejectNodeSecretsAsBackendKeys(NodeConfiguration config)
    {
        List<(string Variable, string Use)> secrets =
        [
            ("JWT_SECRET", "the token signing secret"),
            ("MASTER_KEY", "the ledger's master key"),
        ];
        if (config.Storage.PostgreSql.ConnectionStringEnv is { } connection)
        {
            secrets.Add((connection, "the ledger database's connection string (storage.postgresql.connection_string_env)"));
        }

        if (config.Compliance.NotifySecretEnv is { } notify)
        {
            secrets.Add((notify, "the compliance notifications' signing key (compliance.notify_secret_env)"));
        }

        for (var i = 0; i < config.Backends.Count; i++)
        {
            if (config.Backends[i].ApiKeyEnv is { } variable && secrets.Find(s => s.Variable == variable) is { Variable: not null } secret)
            {
                throw new ConfigurationException($"backends[{i}].api_key_env",
                    $"names {variable}, which holds {secret.Use}: it would be sent to backend '{config.Backends[i].Id}' with every request; give the backend a key of its own");
            }
        }
    }

    /// <summary>
    /// Refuses collections nested deeper than <see cref="MaxNestingDepth"/> before the document is
    /// built: building it recurses once per level, so a small file of nested brackets would
    /// overflow the stack and kill the process (a running node too, on a reload), and the scanner's
    /// time grows with the square of the depth. The event parser used here keeps its own stack and
    /// stops at the first level too deep.
    /// </summary>
    private static void RejectDeepNesting(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        // The flow collections ('[', '{') still open, innermost last, and where the last event read ended.
        var open = new Stack<Mark>();
        var last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                last = parser.Current!.End;
                switch (parser.Current)
                {
                    case MappingStart or SequenceStart when ++depth > MaxNestingDepth:
                        throw new ConfigurationException("(file)",
                            $"nests mappings or lists more than {MaxNestingDepth} levels deep (line {parser.Current.Start.Line}, column {parser.Current.Start.Column})");
                    case MappingStart { Style: MappingStyle.Flow } or SequenceStart { Style: SequenceStyle.Flow }:
                        open.Push(parser.Current.Start);
                        break;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        if (open.Count > 0 && parser.Current.Start.Index >= open.Peek().Index)
                        {
                            open.TryPop(out _);
                        }

                        break;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way (no YamlException, no position) on some unfinished flow collections,
            // e.g. "models: [a" with the next key on the following line; unhandled, a reload would throw out of the reloader.
            throw new ConfigurationException("(file)", open.TryPeek(out var at)
                ? $"invalid YAML at line {at.Line}, column {at.Column}: this '[' or '{{' is not closed where the parser expected it"
                : $"invalid YAML after line {last.Line}, column {last.Column}: the parser could not read on from there");
        }
    }

    private static NodeConfiguration ApplyEnvironment(NodeConfiguration c, Func<string, string?> env)
    {
        YamlSection Scalar(string variable, string key)
        {
            // Route the variable through the same strict readers as the file, so that the
            // error names both the variable and the key it overrides.
            var map = new YamlMappingNode { { key, env(variable)! } };
            return new YamlSection(map, variable);
        }

        if (env("LOG_LEVEL") is { Length: > 0 } level)
        {
            c = c with { Logging = c.Logging with { Level = LoggingSettings.NormaliseLevel("LOG_LEVEL", level) } };
        }

        if (env("WORKERS") is { Length: > 0 })
        {
            c = c with { Server = c.Server with { Workers = Scalar("WORKERS", "server.workers").Int("server.workers", 0, 0, 4096) } };
        }

        if (env("QUANTUM_COHERENCE_THRESHOLD") is { Length: > 0 })
        {
            var v = Scalar("QUANTUM_COHERENCE_THRESHOLD", "quantum_planning.coherence_threshold").Double("quantum_planning.coherence_threshold", 0, 0, 1);
            c = c with { QuantumPlanning = c.QuantumPlanning with { CoherenceThreshold = v } };
        }

        if (env("MAX_ENTANGLED_TASKS") is { Length: > 0 })
        {
            var v = Scalar("MAX_ENTANGLED_TASKS", "quantum_planning.max_entangled_tasks").Int("quantum_planning.max_entangled_tasks", 0, 1, 1000);
            c = c with { QuantumPlanning = c.QuantumPlanning with { MaxEntangledTasks = v } };
        }

        if (env("OPTIMIZATION_STRATEGY") is { Length: > 0 })
        {
            var v = Scalar("OPTIMIZATION_STRATEGY", "quantum_planning.optimization_strategy").Choice("quantum_planning.optimization_strategy", "", QuantumPlanningSettings.Strategies);
            c = c with { QuantumPlanning = c.QuantumPlanning with { OptimizationStrategy = v } };
        }

        var secret = env("JWT_SECRET");
        var master = env("MASTER_KEY");
        var connection = c.Storage is { IsPostgreSql: true, PostgreSql.ConnectionStringEnv: { } variable } ? env(variable) : null;
        return c with
        {
            Auth = c.Auth with { JwtSecret = string.IsNullOrEmpty(secret) ? null : secret },
            MasterKey = string.IsNullOrEmpty(master) ? null : master,
            LedgerConnectionString = string.IsNullOrWhiteSpace(connection) ? null : connection,
        };
    }

    /// <summary>YAML 1.2 §7.4: a key written without <c>? </c> is at most this long.</summary>
    private const int MaxImplicitKeyLength = 1024;

    /// <summary>Whether the 1-based <paramref name="line"/> holds a key (up to its <c>: </c>) longer than YAML allows.</summary>
    private static bool OverlongKey(string yaml, int line)
    {
        var lines = yaml.AsSpan().EnumerateLines();
        var n = 0;
        foreach (var text in lines)
        {
            if (++n < line)
            {
                continue;
            }

            var content = text.TrimStart(' ');
            if (content.StartsWith("- "))
            {
                content = content[2..].TrimStart(' ');
            }

            for (var i = 0; i < content.Length; i++)
            {
                if (content[i] == ':' && (i + 1 == content.Length || content[i + 1] is ' ' or '\t'))
                {
                    return i > MaxImplicitKeyLength;
                }
            }

            return false;
        }

        return false;
    }

    /// <summary>Where the first alias to the anchor an <see cref="AnchorNotFoundException"/> names ("The anchor 'x' …") stands, from the parser's own events.</summary>
    private static Mark? AliasLocation(string yaml, string message)
    {
        var open = message.IndexOf('\'');
        var close = open < 0 ? -1 : message.IndexOf('\'', open + 1);
        if (close <= open + 1)
        {
            return null;
        }

        var name = message[(open + 1)..close];
        try
        {
            var parser = new Parser(new StringReader(yaml));
            while (parser.MoveNext())
            {
                if (parser.Current is AnchorAlias alias && alias.Value.Value == name)
                {
                    return alias.Start;
                }
            }
        }
        catch (YamlException)
        {
            // The text fails further on: the parser's position for the anchor is all there is.
        }

        return null;
    }
}
