using System.Data;
using Npgsql;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.LiteDb;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>
/// Verifies every replica's chain on one REPEATABLE READ snapshot, so writers never wait for it:
/// each chain's signed anchor and signed head, every record's hash, the prev_hash links and seq
/// contiguity, records after the signed head (appended without the key) and a head beyond the last
/// record (tail deleted); records of a chain that has no signed head; every budget row's MAC.
/// Problems name the chain. Memory is bounded: records are read in seq-range chunks.
/// </summary>
internal static class PostgreSqlChainVerifier
{
    private const int ChunkSize = 8192;
    private const int MaxProblems = 1000;

    public static async Task<VerificationResult> VerifyAsync(PostgreSqlStore store, CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var problems = new List<VerificationProblem>();
        void Add(long seq, VerificationProblemKind kind, string message)
        {
            if (problems.Count < MaxProblems)
            {
                problems.Add(new VerificationProblem(seq, kind, message));
            }
        }

        var chains = await PostgreSqlChains.ReadAllAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var encoder = new CanonicalEncoder();
        long records = 0, firstSeq = long.MaxValue, lastSeq = 0;
        foreach (var chain in chains)
        {
            var result = await VerifyChainAsync(connection, transaction, store, chain, encoder, Add, cancellationToken).ConfigureAwait(false);
            records += result.Records;
            firstSeq = Math.Min(firstSeq, result.FirstSeq);
            lastSeq = Math.Max(lastSeq, result.LastSeq);
        }

        await using (var orphans = new NpgsqlCommand(
            "SELECT chain, min(seq), count(*) FROM qe_audit a WHERE NOT EXISTS (SELECT 1 FROM qe_chains c WHERE c.chain = a.chain) GROUP BY chain ORDER BY chain",
            connection, transaction))
        await using (var reader = await orphans.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                Add(reader.GetInt64(1), VerificationProblemKind.HeadMissing,
                    $"chain '{reader.GetString(0)}' holds {reader.GetInt64(2)} record(s) but has no signed head (its qe_chains row was deleted)");
                records += reader.GetInt64(2);
            }
        }

        problems.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        await CheckBudgetsAsync(connection, transaction, store, Add, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new VerificationResult
        {
            RecordsChecked = records,
            CheckpointsChecked = chains.Count,
            FirstSeq = firstSeq == long.MaxValue ? 1 : firstSeq,
            LastSeq = lastSeq,
            Problems = problems.ToArray(),
        };
    }

    private static async Task<(long Records, long FirstSeq, long LastSeq)> VerifyChainAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        PostgreSqlStore store, PostgreSqlChainRow chain, CanonicalEncoder encoder, Action<long, VerificationProblemKind, string> add,
        CancellationToken cancellationToken)
    {
        var name = chain.Chain;
        var anchor = chain.Anchor;
        if (!anchor.IsValid(ChainPointKind.Anchor, store.Identity))
        {
            add(anchor.Seq, VerificationProblemKind.AnchorSignatureInvalid, $"chain '{name}': the retention anchor's signature is invalid");
        }

        var expected = anchor.Seq;
        var prev = anchor.Hash;
        long records = 0, lastSeq = anchor.Seq - 1, after = long.MinValue;
        var lastHash = anchor.Hash;
        while (true)
        {
            var chunk = await PostgreSqlAuditQueries.ReadChainAsync(connection, transaction, name, after, ChunkSize, cancellationToken).ConfigureAwait(false);
            foreach (var row in chunk)
            {
                records++;
                var seq = row.Seq;
                if (seq < expected)
                {
                    add(seq, VerificationProblemKind.UnexpectedRecord, $"chain '{name}': record {seq} precedes the chain start {expected}");
                    continue;
                }

                var linkExpected = true;
                if (seq > expected)
                {
                    add(expected, VerificationProblemKind.MissingRecord, seq == expected + 1
                        ? $"chain '{name}': record {expected} is missing"
                        : $"chain '{name}': records {expected}..{seq - 1} are missing");
                    linkExpected = false;
                }

                if (linkExpected && !(row.Fields.PrevHash ?? []).AsSpan().SequenceEqual(prev))
                {
                    add(seq, VerificationProblemKind.BrokenLink, $"chain '{name}': record {seq}'s prev_hash is not record {seq - 1}'s hash");
                }

                if (!AuditRecordHash.Compute(row.Fields, encoder).AsSpan().SequenceEqual(row.Hash))
                {
                    add(seq, VerificationProblemKind.HashMismatch, $"chain '{name}': record {seq}'s content does not match its hash");
                }

                prev = row.Hash;
                expected = seq + 1;
                lastSeq = seq;
                lastHash = row.Hash;
            }

            if (chunk.Count < ChunkSize)
            {
                break;
            }

            after = chunk[^1].Seq;
        }

        CheckHead(chain, lastSeq, lastHash, store, add);
        return (records, anchor.Seq, lastSeq);
    }

    private static void CheckHead(PostgreSqlChainRow chain, long lastSeq, byte[] lastHash, PostgreSqlStore store,
        Action<long, VerificationProblemKind, string> add)
    {
        var name = chain.Chain;
        var head = chain.Head;
        if (!head.IsValid(ChainPointKind.Checkpoint, store.Identity))
        {
            add(head.Seq, VerificationProblemKind.HeadSignatureInvalid, $"chain '{name}': the signed head's signature is invalid");
            return;
        }

        if (head.Seq > lastSeq)
        {
            add(lastSeq + 1, VerificationProblemKind.Truncated,
                $"chain '{name}': the signed head names record {head.Seq} but the chain ends at {lastSeq}: records {lastSeq + 1}..{head.Seq} were removed");
            return;
        }

        if (head.Seq < lastSeq)
        {
            add(Math.Max(head.Seq + 1, chain.Anchor.Seq), VerificationProblemKind.UnsignedTail,
                $"chain '{name}': records {Math.Max(head.Seq + 1, chain.Anchor.Seq)}..{lastSeq} are not covered by its signed head");
            return;
        }

        if (!head.Hash.AsSpan().SequenceEqual(lastHash))
        {
            add(head.Seq, VerificationProblemKind.HeadMismatch, $"chain '{name}': record {head.Seq}'s hash differs from the signed head");
        }
    }

    private static async Task CheckBudgetsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PostgreSqlStore store,
        Action<long, VerificationProblemKind, string> add, CancellationToken cancellationToken)
    {
        var seal = new BudgetSeal(store.Keys.BudgetMacKey);
        await using var command = new NpgsqlCommand($"SELECT {PostgreSqlBudgetQueries.Columns} FROM qe_budgets ORDER BY day, user_hash", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var (row, mac) = PostgreSqlBudgetQueries.Read(reader);
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(mac, seal.Compute(row)))
            {
                add(0, VerificationProblemKind.BudgetRowTampered, $"budget row '{row.Id}' does not match its MAC (its spend was changed outside the node)");
            }
        }
    }
}
