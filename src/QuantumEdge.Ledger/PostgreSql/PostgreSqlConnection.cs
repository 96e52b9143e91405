using Npgsql;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>Builds the AOT-safe data source the ledger talks through.</summary>
internal static class PostgreSqlConnection
{
    /// <summary>Seconds to wait for a connection when the connection string does not say (Npgsql's default is 15).</summary>
    public const int DefaultConnectTimeoutSeconds = 5;

    /// <summary>Seconds a statement may run when the connection string does not say (Npgsql's default is 30).</summary>
    public const int DefaultCommandTimeoutSeconds = 10;

    /// <summary>
    /// A data source on the slim builder (no reflection-based type mapping: native AOT) with arrays
    /// enabled for the batched statements. Timeouts are short unless the connection string sets
    /// them, so an unreachable database fails a charge within seconds instead of hanging it.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message names the bad keyword, never the string (it may hold a password).
            throw new LedgerException($"The PostgreSQL connection string is invalid: {ex.Message}");
        }

        if (string.IsNullOrEmpty(settings.Host))
        {
            throw new LedgerException("The PostgreSQL connection string names no Host.");
        }

        if (!Has(connectionString, "timeout"))
        {
            settings.Timeout = DefaultConnectTimeoutSeconds;
        }

        if (!Has(connectionString, "command timeout") && !Has(connectionString, "commandtimeout"))
        {
            settings.CommandTimeout = DefaultCommandTimeoutSeconds;
        }

        settings.ApplicationName ??= "quantumedge";
        var builder = new NpgsqlSlimDataSourceBuilder(settings.ConnectionString);
        builder.EnableArrays();
        return builder.Build();
    }

    private static bool Has(string connectionString, string keyword) =>
        connectionString.Split(';').Any(part => part.Split('=')[0].Trim().Equals(keyword, StringComparison.OrdinalIgnoreCase));
}
