using System.Globalization;
using Npgsql;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>
/// The ledger's tables, as numbered migrations. <see cref="MigrateAsync"/> applies the pending ones
/// in one transaction under a transaction-scoped advisory lock, so several replicas starting at once
/// queue behind each other and each later one finds nothing to do; rerunning it is a no-op. Add
/// version N+1 as another entry of <see cref="Steps"/>, never edit a shipped one.
/// </summary>
internal static class PostgreSqlSchema
{
    /// <summary>The advisory lock key every schema change takes ("QEschema" as ASCII).</summary>
    public const long MigrationLockKey = 0x5145_7363_6865_6D61;

    public static int CurrentVersion => Steps.Length;

    private static readonly string[] Steps =
    [
        // 1: initial layout.
        """
        CREATE TABLE qe_ledger_meta (
            id smallint PRIMARY KEY CHECK (id = 1),
            kdf_salt bytea NOT NULL,
            kdf_mem_kib integer NOT NULL,
            kdf_passes integer NOT NULL,
            key_check bytea NOT NULL,
            node_fingerprint text NOT NULL,
            node_public_key bytea NOT NULL,
            created_ticks bigint NOT NULL);
        CREATE TABLE qe_budgets (
            day text NOT NULL,
            user_hash bytea NOT NULL,
            expires_ticks bigint NOT NULL,
            user_blob bytea,
            department bytea,
            queries bigint NOT NULL,
            rdp_rate double precision NOT NULL,
            basic_epsilon double precision NOT NULL,
            mac bytea NOT NULL,
            PRIMARY KEY (day, user_hash));
        CREATE INDEX qe_budgets_user ON qe_budgets (user_hash);
        CREATE INDEX qe_budgets_expires ON qe_budgets (expires_ticks);
        CREATE TABLE qe_audit (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            chain text NOT NULL,
            seq bigint NOT NULL,
            time_ticks bigint NOT NULL,
            event_type integer NOT NULL,
            request_id text,
            user_hash bytea,
            user_blob bytea,
            role text,
            department bytea,
            classification text,
            backend text,
            model text,
            prompt_tokens integer NOT NULL,
            completion_tokens integer NOT NULL,
            http_status integer NOT NULL,
            latency_ms double precision NOT NULL,
            decision text,
            epsilon double precision NOT NULL,
            prompt_hmac text,
            detail text,
            related_seq bigint,
            prev_hash bytea NOT NULL,
            hash bytea NOT NULL,
            UNIQUE (chain, seq));
        CREATE INDEX qe_audit_time ON qe_audit (time_ticks, id);
        CREATE INDEX qe_audit_user ON qe_audit (user_hash);
        CREATE TABLE qe_chains (
            chain text PRIMARY KEY,
            head_seq bigint NOT NULL,
            head_hash bytea NOT NULL,
            head_ticks bigint NOT NULL,
            head_signature bytea NOT NULL,
            anchor_seq bigint NOT NULL,
            anchor_hash bytea NOT NULL,
            anchor_ticks bigint NOT NULL,
            anchor_signature bytea NOT NULL);
        CREATE TABLE qe_refunds (
            chain text NOT NULL,
            charge_seq bigint NOT NULL,
            refund_seq bigint NOT NULL,
            PRIMARY KEY (chain, charge_seq));
        """,

        // 2: the Batch API's batch and line state (owner keyed and encrypted like budgets; details encrypted; no prompt or completion text).
        """
        CREATE TABLE qe_batches (
            id text PRIMARY KEY,
            owner_hash bytea NOT NULL,
            owner_blob bytea NOT NULL,
            owner_role text NOT NULL,
            owner_department bytea,
            status text NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint,
            total integer NOT NULL,
            completed integer NOT NULL,
            failed integer NOT NULL,
            details bytea NOT NULL,
            version bigint NOT NULL,
            lease_holder text,
            lease_until_ticks bigint);
        CREATE INDEX qe_batches_owner ON qe_batches (owner_hash);
        CREATE INDEX qe_batches_unfinished ON qe_batches (status) WHERE status NOT IN ('completed', 'failed', 'expired', 'cancelled');
        CREATE TABLE qe_batch_lines (
            batch_id text NOT NULL REFERENCES qe_batches (id) ON DELETE CASCADE,
            line_index integer NOT NULL,
            status text NOT NULL,
            attempt integer NOT NULL,
            request_id text NOT NULL,
            error_code text,
            entry_offset bigint NOT NULL,
            entry_length integer NOT NULL,
            entry_sha256 text,
            PRIMARY KEY (batch_id, line_index));
        """,
    ];

    /// <summary>Brings the schema to <see cref="CurrentVersion"/>; returns the number of steps applied.</summary>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, long nowTicks, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"SET LOCAL synchronous_commit = on; SELECT pg_advisory_xact_lock({MigrationLockKey.ToString(CultureInfo.InvariantCulture)});" +
            "CREATE TABLE IF NOT EXISTS qe_schema_version (version integer PRIMARY KEY, applied_ticks bigint NOT NULL);",
            cancellationToken).ConfigureAwait(false);
        var version = await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
        EnsureKnown(version);
        for (var next = version + 1; next <= CurrentVersion; next++)
        {
            await ExecuteAsync(connection, Steps[next - 1], cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO qe_schema_version (version, applied_ticks) VALUES ($1, $2)", connection);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = next });
            record.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nowTicks });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return CurrentVersion - version;
    }

    /// <summary>For read-only opens, which change nothing: the schema must exist at a version this build knows.</summary>
    public static async Task EnsureCurrentAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT to_regclass('qe_schema_version') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
        {
            throw new LedgerMissingException("The PostgreSQL database holds no QuantumEdge ledger (no qe_schema_version table).");
        }

        var version = await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
        EnsureKnown(version);
        if (version < CurrentVersion)
        {
            throw new LedgerException(
                $"The PostgreSQL ledger schema is at version {version}; this build needs {CurrentVersion}. Start a node (which migrates) before reading it.");
        }
    }

    private static void EnsureKnown(int version)
    {
        if (version > CurrentVersion)
        {
            throw new LedgerException(
                $"The PostgreSQL ledger schema is at version {version}, newer than this build supports ({CurrentVersion}); upgrade this node before it joins.");
        }
    }

    private static async Task<int> ReadVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var read = new NpgsqlCommand("SELECT COALESCE(max(version), 0) FROM qe_schema_version", connection);
        return (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
