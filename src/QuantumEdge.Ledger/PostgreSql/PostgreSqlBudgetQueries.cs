using Npgsql;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>Reads of qe_budgets outside the writer; every row's MAC is checked, and a row changed outside the node turns the ledger read-only.</summary>
internal static class PostgreSqlBudgetQueries
{
    public const string Columns = "day, user_hash, expires_ticks, user_blob, department, queries, rdp_rate, basic_epsilon, mac";

    public static async Task<List<BudgetRow>> ReadAsync(PostgreSqlStore store, NpgsqlConnection connection, string where,
        IEnumerable<NpgsqlParameter> parameters, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM qe_budgets WHERE {where} ORDER BY day, user_hash", connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        var seal = new BudgetSeal(store.Keys.BudgetMacKey);
        var rows = new List<BudgetRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var (row, mac) = Read(reader);
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(mac, seal.Compute(row)))
            {
                store.ReadOnlyReason = $"budget row '{row.Id}' does not match its MAC (its spend was changed outside the node)";
                throw new LedgerTamperedException($"The ledger is read-only: {store.ReadOnlyReason}. Run 'quantumedge audit verify'.");
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>A row and its stored MAC, read from <see cref="Columns"/>.</summary>
    public static (BudgetRow Row, byte[] Mac) Read(NpgsqlDataReader reader)
    {
        var day = reader.GetString(0);
        var userHash = reader.GetFieldValue<byte[]>(1);
        return (new BudgetRow
        {
            Id = BudgetRow.MakeId(day, userHash),
            Day = day,
            ExpiresTicks = reader.GetInt64(2),
            UserHash = userHash,
            User = reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3),
            Department = reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4),
            State = new BudgetState(reader.GetInt64(5), reader.GetDouble(6), reader.GetDouble(7)),
        }, reader.GetFieldValue<byte[]>(8));
    }
}
