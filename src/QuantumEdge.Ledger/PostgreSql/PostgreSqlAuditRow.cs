using Npgsql;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>One qe_audit row: the engine-independent stored fields (hashed by <see cref="AuditRecordHash"/>), its chain and hash.</summary>
internal sealed record PostgreSqlAuditRow(long Id, string Chain, StoredAuditFields Fields, byte[] Hash)
{
    /// <summary>The columns <see cref="Read"/> expects, in order.</summary>
    public const string Columns =
        "id, chain, seq, time_ticks, event_type, request_id, user_hash, user_blob, role, department, classification, backend, model, " +
        "prompt_tokens, completion_tokens, http_status, latency_ms, decision, epsilon, prompt_hmac, detail, related_seq, prev_hash, hash";

    public static PostgreSqlAuditRow Read(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        new StoredAuditFields(
            r.GetInt64(2), r.GetInt64(3), r.GetInt32(4), Text(r, 5), Bytes(r, 6), Bytes(r, 7), Text(r, 8), Bytes(r, 9), Text(r, 10),
            Text(r, 11), Text(r, 12), r.GetInt32(13), r.GetInt32(14), r.GetInt32(15), r.GetDouble(16), Text(r, 17), r.GetDouble(18),
            Text(r, 19), Text(r, 20), r.IsDBNull(21) ? null : r.GetInt64(21), Bytes(r, 22)),
        Bytes(r, 23) ?? []);

    public long Seq => Fields.Seq;

    public DateTimeOffset Time => new(Fields.TimeTicks, TimeSpan.Zero);

    public AuditRecord ToRecord(FieldCipher cipher)
    {
        var f = Fields;
        return new AuditRecord
        {
            Seq = f.Seq,
            Time = Time,
            Chain = Chain,
            Entry = new AuditEntry
            {
                EventType = (AuditEventType)f.EventType,
                RequestId = f.RequestId ?? "",
                UserId = f.User is null ? null : cipher.Decrypt(AuditFields.UserAad, f.User),
                Role = f.Role,
                Department = f.Department is null ? null : cipher.Decrypt(AuditFields.DepartmentAad, f.Department),
                Classification = f.Classification,
                Backend = f.Backend,
                Model = f.Model,
                PromptTokens = f.PromptTokens,
                CompletionTokens = f.CompletionTokens,
                HttpStatus = f.HttpStatus,
                LatencyMs = f.LatencyMs,
                Decision = f.Decision ?? "",
                EpsilonCharged = f.Epsilon,
                PromptHmac = f.PromptHmac,
                Detail = f.Detail,
                RelatedSeq = f.RelatedSeq,
            },
            PrevHash = Convert.ToHexStringLower(f.PrevHash ?? []),
            Hash = Convert.ToHexStringLower(Hash),
        };
    }

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static byte[]? Bytes(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<byte[]>(i);
}
