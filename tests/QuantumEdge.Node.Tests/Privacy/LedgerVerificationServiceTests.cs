using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Node.Tests.Privacy;

/// <summary>The hosted background verification of a chain too long to verify at start-up (issue 7, finding 3).</summary>
public sealed class LedgerVerificationServiceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-lvs-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly NodeIdentity _identity = NodeIdentity.Generate();

    private LedgerOptions Options => new()
    {
        DataDirectory = _dir,
        MasterKey = "verification-service-test-key",
        NodeIdentity = _identity,
        Kdf = new KdfParameters(1024, 1),
        FullVerificationAtOpenMaxRecords = 5,
    };

    public void Dispose()
    {
        _identity.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Tampering_found_in_the_background_turns_the_ledger_read_only()
    {
        using (var ledger = LiteDbPrivacyLedger.Open(Options))
        {
            for (var i = 0; i < 20; i++)
            {
                await ledger.RecordAsync(new AuditEntry { RequestId = $"r{i}", HttpStatus = 200 });
            }
        }

        using (var db = new LiteDatabase(Path.Combine(_dir, "ledger.db")))
        {
            StoredAuditRecords.Change(db.GetCollection("audit"), 3, record => record["hs"] = 201);
        }

        await using var tampered = LiteDbPrivacyLedger.Open(Options);
        Assert.True(tampered.BackgroundVerificationDue);
        Assert.Null(tampered.ReadOnlyReason);
        using var service = new LedgerVerificationService(tampered, NullLogger<LedgerVerificationService>.Instance);
        await service.StartAsync(CancellationToken.None);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (tampered.ReadOnlyReason is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Contains("seq 3", tampered.ReadOnlyReason, StringComparison.Ordinal);
        await service.StopAsync(CancellationToken.None);
    }
}
