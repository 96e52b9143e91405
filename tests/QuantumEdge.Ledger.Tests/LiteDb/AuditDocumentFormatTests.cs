using System.Security.Cryptography;
using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.LiteDb;

namespace QuantumEdge.Ledger.Tests.LiteDb;

/// <summary>
/// The allocation cuts (issue 7 item 22) changed how an audit document and its chain hash are built,
/// not what is stored: records written by earlier builds must keep verifying, and new ones must read
/// the same to them. The expected values were produced by the builder before the cuts.
/// </summary>
public sealed class AuditDocumentFormatTests
{
    private const string ExpectedHash = "8c578a67b302d38754631b4022f08972ee21c4c30894eb6f32bc52ae074a4837";
    private const string ExpectedDocumentSha256 = "3cf5d9fc1ebe409c603cda51b09eb5d7d20baf50c99fe448ffa71f08b9176e57";

    [Fact]
    public void An_audit_document_is_stored_and_hashed_as_before()
    {
        var doc = AuditDocument.Create(4_711, 638_771_364_000_000_000,
            new AuditEntry
            {
                EventType = AuditEventType.Request,
                RequestId = "req-0001",
                UserId = "dr-a",
                Role = "doctor",
                Department = "cardiology",
                Classification = "public",
                Backend = "vllm-a",
                Model = "clinical-7b",
                PromptTokens = 42,
                CompletionTokens = 1_500,
                HttpStatus = 200,
                LatencyMs = 1.234,
                Decision = AuditDecisions.Completed,
                EpsilonCharged = 0,
                PromptHmac = "9f2c4e1a",
                RelatedSeq = 4_700,
            },
            userHash: [.. Enumerable.Range(0, 32).Select(i => (byte)i)],
            user: [.. Enumerable.Range(0, 60).Select(i => (byte)(i * 3))],
            department: [.. Enumerable.Range(0, 64).Select(i => (byte)(i * 5))],
            prevHash: [.. Enumerable.Range(0, 32).Select(i => (byte)(255 - i))],
            new CanonicalEncoder());

        Assert.Equal(ExpectedHash, Convert.ToHexStringLower(AuditDocument.Hash(doc)));
        Assert.Equal(ExpectedDocumentSha256, Convert.ToHexStringLower(SHA256.HashData(BsonSerializer.Serialize(doc))));
        Assert.Equal(AuditDocument.Hash(doc), AuditDocument.ComputeHash(BsonSerializer.Deserialize(BsonSerializer.Serialize(doc)), new CanonicalEncoder()));
    }
}
