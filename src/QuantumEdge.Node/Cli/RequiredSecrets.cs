using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// The secrets a configuration needs from the environment before <c>serve</c> can do its work:
/// <c>JWT_SECRET</c> (auth.mode hs256), a strong <c>MASTER_KEY</c>, the PostgreSQL ledger's
/// connection string variable, and every backend's <c>api_key_env</c> variable. Problems name the variable, never its value.
/// </summary>
internal static class RequiredSecrets
{
    public sealed record Problem(string Variable, string Message);

    public static List<Problem> Check(NodeConfiguration config, Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        var problems = new List<Problem>();
        if (config.Auth.Mode == "hs256")
        {
            if (string.IsNullOrEmpty(config.Auth.JwtSecret))
            {
                problems.Add(new("JWT_SECRET", "is not set; auth.mode hs256 needs it to verify tokens (generate one with: openssl rand -base64 48)"));
            }
            else if (System.Text.Encoding.UTF8.GetByteCount(config.Auth.JwtSecret) < JwtAuthenticator.MinimumSecretBytes)
            {
                problems.Add(new("JWT_SECRET", $"must be at least {JwtAuthenticator.MinimumSecretBytes} bytes for HS256"));
            }
            else if (MasterKeyStrength.EstimatedBits(config.Auth.JwtSecret) is var bits && bits < MasterKeyStrength.MinimumBits)
            {
                // Whoever guesses it mints admin tokens: the master key's entropy bar, not only a length.
                problems.Add(new("JWT_SECRET", $"is too weak: about {bits:F0} bits of entropy by estimate, at least {MasterKeyStrength.MinimumBits} are required (generate one with: openssl rand -base64 48)"));
            }
            else if (config.Auth.JwtSecret == config.MasterKey)
            {
                problems.Add(new("JWT_SECRET", "is the same as MASTER_KEY: the token signing secret and the ledger's master key must be two different secrets (generate one with: openssl rand -base64 48)"));
            }
        }

        if (MasterKeyStrength.Problem(config.MasterKey) is { } master)
        {
            problems.Add(new("MASTER_KEY", master));
        }
        else if (!config.Storage.IsPostgreSql
            && !LedgerFileExists(config)
            && QuantumEdge.Ledger.Crypto.MasterKeyEdges.Describe(config.MasterKey) is { } edge)
        {
            // A ledger created from those bytes would not open with the key written without them; an
            // existing one may have been created so, and the ledger itself says when the key does not match.
            problems.Add(new("MASTER_KEY", $"{edge}; the new ledger would be encrypted with those bytes too, and the same key written without it would not open it: remove the whitespace from the value"));
        }

        if (config.Storage is { IsPostgreSql: true, PostgreSql.ConnectionStringEnv: { } connectionVariable } && config.LedgerConnectionString is null)
        {
            problems.Add(new(connectionVariable, "is not set or empty; storage.backend postgresql reads the ledger database's connection string from it (storage.postgresql.connection_string_env)"));
        }

        foreach (var backend in config.Backends)
        {
            if (backend.ApiKeyEnv is { } variable && env(variable) is var key)
            {
                if (string.IsNullOrEmpty(key))
                {
                    problems.Add(new(variable, $"is not set; backend '{backend.Id}' reads its API key from it (api_key_env)"));
                }
                else if (BackendTransport.KeyValueProblem(key) is { } problem)
                {
                    problems.Add(new(variable, $"{problem}; backend '{backend.Id}' reads its API key from it (api_key_env)"));
                }
            }
        }

        return problems;
    }

    private static bool LedgerFileExists(NodeConfiguration config)
    {
        var file = new FileInfo(Path.Combine(config.Storage.ResolveLedgerDir(config.Node), "ledger.db"));
        return file.Exists && file.Length > 0;
    }
}
