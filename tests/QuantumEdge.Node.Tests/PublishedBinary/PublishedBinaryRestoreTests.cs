using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// <c>restore</c> cannot silently roll a ledger back: it refuses while the current ledger holds
/// records the backup lacks, and <c>--force</c> keeps the replaced ledger, audits the restore in the
/// restored chain and prints what was rolled back.
/// </summary>
public sealed class PublishedBinaryRestoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-restore-").FullName;
    private readonly string _config;
    private readonly NodeConfiguration _nodeConfig;

    public PublishedBinaryRestoreTests()
    {
        var keys = Path.Combine(_dir, "keys");
        using (var identity = NodeIdentity.Generate())
        {
            identity.Save(keys);
        }

        _config = Path.Combine(_dir, "node.yaml");
        File.WriteAllText(_config, $"""
            node:
              id: restore-node
              data_dir: {_dir}/data
            storage:
              node_key_dir: {keys}
              kdf_memory_kib: 8192
              kdf_passes: 1
            backends:
              - id: sim
                url: http://127.0.0.1:9/v1
                models: [clinical-7b]
                allowed_classifications: [public]
            """);
        _nodeConfig = ConfigurationLoader.LoadFile(_config) with { MasterKey = NodeProcess.MasterKey };
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Restore_refuses_to_roll_back_newer_records_and_force_keeps_audits_and_reports_them()
    {
        var backup = Path.Combine(_dir, "backup");
        await using (var ledger = LedgerFactory.Open(_nodeConfig))
        {
            await AppendAsync(ledger, 5);
            await ledger.BackupAsync(backup);
        }

        // Nothing newer than the backup: restored without --force, and the restore is audited.
        var (same, sameOut) = await NodeProcess.RunAsync("restore", "--from", backup, "--config", _config);
        Assert.True(same == 0, sameOut);
        Assert.Equal(6, await HeadAsync(_nodeConfig));

        await using (var ledger = LedgerFactory.Open(_nodeConfig))
        {
            await AppendAsync(ledger, 3);
        }

        var (refused, refusedOut) = await NodeProcess.RunAsync("restore", "--from", backup, "--config", _config);
        Assert.Equal(1, refused);
        Assert.Contains("4 audit record(s), seq 6–9", refusedOut, StringComparison.Ordinal);
        Assert.Contains("--force", refusedOut, StringComparison.Ordinal);
        Assert.Equal(9, await HeadAsync(_nodeConfig));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_dir, "data"), "ledger.replaced-*"));

        var (forced, forcedOut) = await NodeProcess.RunAsync("restore", "--from", backup, "--force", "--config", _config);
        Assert.True(forced == 0, forcedOut);
        Assert.Contains("rolled back 4 audit record(s), seq 6–9", forcedOut, StringComparison.Ordinal);
        var kept = Assert.Single(Directory.GetDirectories(Path.Combine(_dir, "data"), "ledger.replaced-*"));
        Assert.Contains(kept, forcedOut, StringComparison.Ordinal);

        // The restored chain: the backup's five records and the audited restore, verifying whole.
        await using (var ledger = LedgerFactory.OpenForReading(_nodeConfig))
        {
            var records = await ledger.ReadAuditAsync(0);
            Assert.Equal(6, records.Count);
            var restore = records[^1];
            Assert.Equal(AuditEventType.Admin, restore.Entry.EventType);
            Assert.Equal("admin:restore", restore.Entry.Decision);
            Assert.Contains("rolled back 4 audit record(s), seq 6–9", restore.Entry.Detail, StringComparison.Ordinal);
            Assert.Contains(kept, restore.Entry.Detail, StringComparison.Ordinal);
            Assert.True((await ledger.VerifyAsync()).IsValid);
        }

        // The replaced ledger is whole and readable where it was kept.
        Assert.Equal(9, await HeadAsync(_nodeConfig with { Storage = _nodeConfig.Storage with { LedgerDir = kept } }));
        var (verify, verifyOut) = await NodeProcess.RunAsync("audit", "verify", "--config", _config);
        Assert.True(verify == 0, verifyOut);
    }

    [Fact]
    public async Task Restore_over_a_ledger_started_afresh_after_the_backup_is_refused_as_another_history()
    {
        var backup = Path.Combine(_dir, "backup");
        await using (var ledger = LedgerFactory.Open(_nodeConfig))
        {
            await AppendAsync(ledger, 5);
            await ledger.BackupAsync(backup);
        }

        // The disk was lost and the node started on an empty ledger, which has served two requests since.
        Directory.Delete(_nodeConfig.Storage.ResolveLedgerDir(_nodeConfig.Node), recursive: true);
        await using (var ledger = LedgerFactory.Open(_nodeConfig))
        {
            await AppendAsync(ledger, 2);
        }

        var (refused, output) = await NodeProcess.RunAsync("restore", "--from", backup, "--config", _config);
        Assert.Equal(1, refused);
        Assert.Contains("2 audit record(s), seq 1–2 (the current ledger ends at seq 2, before the backup's 5", output, StringComparison.Ordinal);
        Assert.Equal(2, await HeadAsync(_nodeConfig));
    }

    private static async Task AppendAsync(IPrivacyLedger ledger, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await ledger.RecordAsync(new AuditEntry { RequestId = "req-" + Guid.NewGuid().ToString("N"), UserId = "dr.restore", HttpStatus = 200 });
        }
    }

    private static async Task<long> HeadAsync(NodeConfiguration config)
    {
        await using var ledger = LedgerFactory.OpenForReading(config);
        return (await ledger.AuditHeadAsync()).Seq;
    }
}
