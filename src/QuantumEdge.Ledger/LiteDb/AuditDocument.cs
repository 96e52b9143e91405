using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>Hand mapping between audit records and BSON (no reflection: native AOT).</summary>
internal static class AuditDocument
{
    public const int HashSize = CanonicalEncoder.HashSize;

    /// <summary>Fields of a stored record: the 21 the hash covers and the hash.</summary>
    private const int FieldCount = 22;

    public static BsonDocument Create(long seq, long timeTicks, AuditEntry entry, byte[]? userHash, byte[]? user,
        byte[]? department, byte[] prevHash, CanonicalEncoder encoder, SharedBsonValues? shared = null)
    {
        shared ??= new SharedBsonValues();
        var doc = new BsonDocument();
        // Sized once for its 22 fields instead of growing four times per record.
        if (doc.RawValue is Dictionary<string, BsonValue> fields)
        {
            fields.EnsureCapacity(FieldCount);
        }

        doc.Add(AuditFields.Seq, seq);
        doc.Add(AuditFields.Time, timeTicks);
        doc.Add(AuditFields.EventType, SharedBsonValues.Int32((int)entry.EventType));
        doc.Add(AuditFields.RequestId, entry.RequestId);
        doc.Add(AuditFields.UserHash, Bin(userHash));
        doc.Add(AuditFields.User, Bin(user));
        doc.Add(AuditFields.Role, shared.String(entry.Role));
        doc.Add(AuditFields.Department, Bin(department));
        doc.Add(AuditFields.Classification, shared.String(entry.Classification));
        doc.Add(AuditFields.Backend, shared.String(entry.Backend));
        doc.Add(AuditFields.Model, shared.String(entry.Model));
        doc.Add(AuditFields.PromptTokens, SharedBsonValues.Int32(entry.PromptTokens));
        doc.Add(AuditFields.CompletionTokens, SharedBsonValues.Int32(entry.CompletionTokens));
        doc.Add(AuditFields.HttpStatus, SharedBsonValues.Int32(entry.HttpStatus));
        doc.Add(AuditFields.LatencyMs, entry.LatencyMs);
        doc.Add(AuditFields.Decision, shared.String(entry.Decision));
        doc.Add(AuditFields.Epsilon, SharedBsonValues.Double(entry.EpsilonCharged));
        doc.Add(AuditFields.PromptHmac, Str(entry.PromptHmac));
        doc.Add(AuditFields.Detail, Str(entry.Detail));
        doc.Add(AuditFields.RelatedSeq, entry.RelatedSeq is { } related ? new BsonValue(related) : BsonValue.Null);
        doc.Add(AuditFields.PrevHash, prevHash);
        doc[AuditFields.Hash] = ComputeHash(doc, encoder);
        return doc;
    }

    /// <summary>The chain hash of a stored record (<see cref="AuditRecordHash"/>), its fields read as stored.</summary>
    public static byte[] ComputeHash(BsonDocument doc, CanonicalEncoder encoder) =>
        AuditRecordHash.Compute(new StoredAuditFields(
            doc[AuditFields.Seq].AsInt64,
            doc[AuditFields.Time].AsInt64,
            doc[AuditFields.EventType].AsInt32,
            ReadString(doc, AuditFields.RequestId),
            ReadBytes(doc, AuditFields.UserHash),
            ReadBytes(doc, AuditFields.User),
            ReadString(doc, AuditFields.Role),
            ReadBytes(doc, AuditFields.Department),
            ReadString(doc, AuditFields.Classification),
            ReadString(doc, AuditFields.Backend),
            ReadString(doc, AuditFields.Model),
            doc[AuditFields.PromptTokens].AsInt32,
            doc[AuditFields.CompletionTokens].AsInt32,
            doc[AuditFields.HttpStatus].AsInt32,
            doc[AuditFields.LatencyMs].AsDouble,
            ReadString(doc, AuditFields.Decision),
            doc[AuditFields.Epsilon].AsDouble,
            ReadString(doc, AuditFields.PromptHmac),
            ReadString(doc, AuditFields.Detail),
            doc[AuditFields.RelatedSeq].IsNull ? null : doc[AuditFields.RelatedSeq].AsInt64,
            ReadBytes(doc, AuditFields.PrevHash)), encoder);

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
