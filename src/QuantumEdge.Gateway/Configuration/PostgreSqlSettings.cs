using System.Text.RegularExpressions;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// The <c>storage.postgresql</c> block: how a node reaches the PostgreSQL database that several
/// replicas share as one ledger. The connection string (it holds a password) never sits in the
/// file: the block names the environment variable that carries it.
/// </summary>
public sealed partial record PostgreSqlSettings
{
    /// <summary>The environment variable holding the Npgsql connection string (required with <c>storage.backend: postgresql</c>).</summary>
    public string? ConnectionStringEnv { get; init; }

    /// <summary>
    /// This replica's name in the shared ledger: the audit chain it appends to. Default: the host
    /// name (a Kubernetes pod's name). Two live replicas must never share one.
    /// </summary>
    public string? ReplicaId { get; init; }

    /// <summary>
    /// Whether requests that spend no privacy budget (public, internal) are still served while the
    /// database is unreachable. Their audit records cannot be written then, so the default refuses them too.
    /// </summary>
    public bool ServeFreeRequestsWhileUnavailable { get; init; }

    /// <summary>The replica id in use: <see cref="ReplicaId"/> or the host name.</summary>
    public string ResolveReplicaId() => ReplicaId ?? DefaultReplicaId(Environment.MachineName);

    internal static string DefaultReplicaId(string hostName)
    {
        var cleaned = DisallowedInReplicaId().Replace(hostName, "-");
        return cleaned.Length == 0 ? "replica" : cleaned[..Math.Min(cleaned.Length, MaxReplicaIdLength)];
    }

    internal const int MaxReplicaIdLength = 64;

    internal static PostgreSqlSettings Read(YamlSection s, bool selected)
    {
        if (s.Raw("connection_string") is not null)
        {
            // The value itself is not echoed: it is a secret that should not have been written here.
            throw new ConfigurationException(s.KeyPath("connection_string"),
                $"the connection string holds the database password and must not be in the configuration file: put it in an environment variable and name that variable in {s.KeyPath("connection_string_env")}");
        }

        // Likely the connection string itself pasted here when it is no variable name: never echoed.
        var env = s.OptionalVariableName("connection_string_env", "the connection string");

        var replica = s.OptionalString("replica_id");
        if (replica is not null && (replica.Length is 0 or > MaxReplicaIdLength || !ReplicaIdShape().IsMatch(replica)))
        {
            throw new ConfigurationException(s.KeyPath("replica_id"), $"'{replica}' must be 1–{MaxReplicaIdLength} of a-z A-Z 0-9 . _ -");
        }

        var result = new PostgreSqlSettings
        {
            ConnectionStringEnv = env,
            ReplicaId = replica,
            ServeFreeRequestsWhileUnavailable = s.Bool("serve_free_requests_while_unavailable", false),
        };
        s.RejectUnknownKeys();
        if (!selected && s.Exists)
        {
            throw new ConfigurationException(s.Path, "applies only with storage.backend: postgresql (the ledger is LiteDB now); remove the block or set the backend");
        }

        if (selected && env is null)
        {
            throw new ConfigurationException(s.KeyPath("connection_string_env"),
                "is required with storage.backend: postgresql: name the environment variable that holds the connection string");
        }

        return result;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex ReplicaIdShape();

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex DisallowedInReplicaId();
}
