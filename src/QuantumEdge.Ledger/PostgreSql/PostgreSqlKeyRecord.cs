using System.Security.Cryptography;
using Npgsql;
using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>
/// The ledger's key-derivation record (salt, Argon2id cost, a key check) and the fingerprint of the
/// node key every replica must share, in qe_ledger_meta. The first replica creates it under the
/// schema lock; the others derive the same keys from it, or are refused with the reason.
/// </summary>
internal static class PostgreSqlKeyRecord
{
    public static async Task<LedgerKeys> OpenOrCreateAsync(NpgsqlDataSource dataSource, LedgerOptions options, NodeIdentity identity,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!options.ReadOnly)
        {
            await using var lockSchema = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgreSqlSchema.MigrationLockKey})", connection);
            await lockSchema.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var read = new NpgsqlCommand(
            "SELECT kdf_salt, kdf_mem_kib, kdf_passes, key_check, node_fingerprint FROM qe_ledger_meta WHERE id = 1", connection);
        byte[]? salt = null, check = null;
        int mem = 0, passes = 0;
        string? fingerprint = null;
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                salt = reader.GetFieldValue<byte[]>(0);
                mem = reader.GetInt32(1);
                passes = reader.GetInt32(2);
                check = reader.GetFieldValue<byte[]>(3);
                fingerprint = reader.GetString(4);
            }
        }

        if (salt is null)
        {
            if (options.ReadOnly)
            {
                throw new LedgerMissingException("The PostgreSQL database holds no QuantumEdge ledger yet (no key-derivation record).");
            }

            if (MasterKeyEdges.CreationRefusal(options.MasterKey, "the new PostgreSQL ledger") is { } refusal)
            {
                throw new MasterKeyUnusableException(refusal);
            }

            salt = RandomNumberGenerator.GetBytes(LedgerKeys.SaltSize);
            var created = LedgerKeys.Derive(options.MasterKey!, salt, options.Kdf);
            await using var insert = new NpgsqlCommand(
                "INSERT INTO qe_ledger_meta (id, kdf_salt, kdf_mem_kib, kdf_passes, key_check, node_fingerprint, node_public_key, created_ticks) " +
                "VALUES (1, $1, $2, $3, $4, $5, $6, $7)", connection);
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = salt });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.Kdf.MemoryKiB });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.Kdf.Passes });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = created.KeyCheck });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = identity.Fingerprint });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = identity.PublicKeyBytes });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = options.TimeProvider.GetUtcNow().UtcTicks });
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return created;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        LedgerKeys keys;
        try
        {
            keys = LedgerKeys.Derive(options.MasterKey!, salt, new KdfParameters(mem, passes));
        }
        catch (ArgumentException ex)
        {
            throw new LedgerCorruptException("The PostgreSQL ledger's key-derivation record is damaged.", ex);
        }

        if (!CryptographicOperations.FixedTimeEquals(check, keys.KeyCheck))
        {
            keys.Dispose();
            throw new MasterKeyMismatchException(
                "MASTER_KEY does not match the key the PostgreSQL ledger was created with; nothing was changed. Every replica needs the same MASTER_KEY."
                + MasterKeyEdges.MismatchHint(options.MasterKey));
        }

        if (fingerprint != identity.Fingerprint)
        {
            keys.Dispose();
            throw new LedgerException(
                $"The node key (fingerprint {identity.Fingerprint}) is not the key that signs this PostgreSQL ledger (fingerprint {fingerprint}); every replica must mount the same shared node key.");
        }

        return keys;
    }
}
