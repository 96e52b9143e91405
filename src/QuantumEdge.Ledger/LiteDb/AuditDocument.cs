using QuantumEdge.Ledger.Audit;
using LiteDB;
using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>Hand mapping between audit records and BSON (no reflection: native AOT).</summary>
internal static class AuditDocument
{
    public const int HashSize = CanonicalEncoder.HashSize;
    private const string Domain = "QE-AUDIT-RECORD-v1";

    public static BsonDocument Create(long seq, long timeTicks, AuditEntry entry, byte[]? userHash, byte[]? user,
        byte[]? department, byte[] prevHash, CanonicalEncoder encoder)
    {
        var doc = new BsonDocument
        {
            [AuditFields.Seq] = seq,
            [AuditFields.Time] = timeTicks,
            [AuditFields.EventType] = (int)entry.EventType,
            [AuditFields.RequestId] = entry.RequestId,
            [AuditFields.UserHash] = Bin(userHash),
            [AuditFields.User] = Bin(user),
            [AuditFields.Role] = Str(entry.Role),
            [AuditFields.Department] = Bin(department),
            [AuditFields.Classification] = Str(entry.Classification),
            [AuditFields.Backend] = Str(entry.Backend),
            [AuditFields.Model] = Str(entry.Model),
            [AuditFields.PromptTokens] = entry.PromptTokens,
            [AuditFields.CompletionTokens] = entry.CompletionTokens,
            [AuditFields.HttpStatus] = entry.HttpStatus,
            [AuditFields.LatencyMs] = entry.LatencyMs,
            [AuditFields.Decision] = entry.Decision,
            [AuditFields.Epsilon] = entry.EpsilonCharged,
            [AuditFields.PromptHmac] = Str(entry.PromptHmac),
            [AuditFields.Detail] = Str(entry.Detail),
            [AuditFields.RelatedSeq] = entry.RelatedSeq is { } related ? new BsonValue(related) : BsonValue.Null,
            [AuditFields.PrevHash] = prevHash,
        };
        doc[AuditFields.Hash] = ComputeHash(doc, encoder);
        return doc;
    }

    /// <summary>SHA-256 over prev_hash and the canonical encoding of every other stored field.</summary>
    public static byte[] ComputeHash(BsonDocument doc, CanonicalEncoder encoder)
    {
        encoder.Reset(Domain)
            .Int64(doc[AuditFields.Seq].AsInt64)
            .Int64(doc[AuditFields.Time].AsInt64)
            .Int32(doc[AuditFields.EventType].AsInt32)
            .String(ReadString(doc, AuditFields.RequestId))
            .Bytes(ReadBytes(doc, AuditFields.UserHash))
            .Bytes(ReadBytes(doc, AuditFields.User))
            .String(ReadString(doc, AuditFields.Role))
            .Bytes(ReadBytes(doc, AuditFields.Department))
            .String(ReadString(doc, AuditFields.Classification))
            .String(ReadString(doc, AuditFields.Backend))
            .String(ReadString(doc, AuditFields.Model))
            .Int32(doc[AuditFields.PromptTokens].AsInt32)
            .Int32(doc[AuditFields.CompletionTokens].AsInt32)
            .Int32(doc[AuditFields.HttpStatus].AsInt32)
            .Double(doc[AuditFields.LatencyMs].AsDouble)
            .String(ReadString(doc, AuditFields.Decision))
            .Double(doc[AuditFields.Epsilon].AsDouble)
            .String(ReadString(doc, AuditFields.PromptHmac))
            .String(ReadString(doc, AuditFields.Detail))
            .OptionalInt64(doc[AuditFields.RelatedSeq].IsNull ? null : doc[AuditFields.RelatedSeq].AsInt64);
        return encoder.Sha256(ReadBytes(doc, AuditFields.PrevHash));
    }

    public static long Seq(BsonDocument doc) => doc[AuditFields.Seq].AsInt64;

    public static byte[] Hash(BsonDocument doc) => ReadBytes(doc, AuditFields.Hash) ?? [];

    public static DateTimeOffset Time(BsonDocument doc) => new(doc[AuditFields.Time].AsInt64, TimeSpan.Zero);

    public static AuditRecord ToRecord(BsonDocument doc, FieldCipher cipher)
    {
        var user = ReadBytes(doc, AuditFields.User);
        var department = ReadBytes(doc, AuditFields.Department);
        var entry = new AuditEntry
        {
            EventType = (AuditEventType)doc[AuditFields.EventType].AsInt32,
            RequestId = ReadString(doc, AuditFields.RequestId) ?? "",
            UserId = user is null ? null : cipher.Decrypt(AuditFields.UserAad, user),
            Role = ReadString(doc, AuditFields.Role),
            Department = department is null ? null : cipher.Decrypt(AuditFields.DepartmentAad, department),
            Classification = ReadString(doc, AuditFields.Classification),
            Backend = ReadString(doc, AuditFields.Backend),
            Model = ReadString(doc, AuditFields.Model),
            PromptTokens = doc[AuditFields.PromptTokens].AsInt32,
            CompletionTokens = doc[AuditFields.CompletionTokens].AsInt32,
            HttpStatus = doc[AuditFields.HttpStatus].AsInt32,
            LatencyMs = doc[AuditFields.LatencyMs].AsDouble,
            Decision = ReadString(doc, AuditFields.Decision) ?? "",
            EpsilonCharged = doc[AuditFields.Epsilon].AsDouble,
            PromptHmac = ReadString(doc, AuditFields.PromptHmac),
            Detail = ReadString(doc, AuditFields.Detail),
            RelatedSeq = doc[AuditFields.RelatedSeq].IsNull ? null : doc[AuditFields.RelatedSeq].AsInt64,
        };
        return new AuditRecord
        {
            Seq = Seq(doc),
            Time = Time(doc),
            Entry = entry,
            PrevHash = Convert.ToHexStringLower(ReadBytes(doc, AuditFields.PrevHash) ?? []),
            Hash = Convert.ToHexStringLower(Hash(doc)),
        };
    }

    public static string? ReadString(BsonDocument doc, string field)
    {
        var value = doc[field];
        return value.IsNull ? null : value.IsString ? value.AsString : throw new FormatException($"field '{field}' is not a string");
    }

    public static byte[]? ReadBytes(BsonDocument doc, string field)
    {
        var value = doc[field];
        return value.IsNull ? null : value.IsBinary ? value.AsBinary : throw new FormatException($"field '{field}' is not binary");
    }

    private static BsonValue Str(string? value) => value is null ? BsonValue.Null : new BsonValue(value);

    private static BsonValue Bin(byte[]? value) => value is null ? BsonValue.Null : new BsonValue(value);
}
