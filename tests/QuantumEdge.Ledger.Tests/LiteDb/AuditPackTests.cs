using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Privacy;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Ledger.Tests.LiteDb;

/// <summary>
/// Issue 7 item 22: a group commit stores its records as one LiteDB document (<see cref="AuditPack"/>), which
/// takes LiteDB's per-document cost off every record. What the change must not lose: every reader sees the
/// same records, stores written one record per document keep working, and a damaged pack is reported.
/// </summary>
public sealed class AuditPackTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_group_commit_stores_its_records_as_one_document_keyed_by_its_last_seq()
    {
        using var ctx = new LedgerTestContext();
        using (var ledger = LongLinger(ctx))
        {
            await RecordAsync(ledger, 40, "grouped");
            Assert.True(ledger.GroupCommits <= 3, $"{ledger.GroupCommits} commits for 40 deferred records");
            Assert.True((await ledger.VerifyAsync()).IsValid);
        }

        using var db = new LiteDatabase(ctx.DatabasePath);
        var docs = db.GetCollection(Collections.Audit).FindAll().ToList();
        Assert.True(docs.Count <= 3, $"{docs.Count} documents hold 40 records");
        Assert.All(docs, d => Assert.Equal(d["_id"], AuditPack.Expand(d).Last()["_id"]));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), StoredAuditRecords.Seqs(db.GetCollection(Collections.Audit)));
    }

    [Fact]
    public async Task A_pack_holds_at_most_its_limit_and_records_are_read_back_in_order_across_packs()
    {
        const int Records = AuditPack.MaxRecords * 2 + 17;
        using var ctx = new LedgerTestContext();
        using var ledger = LongLinger(ctx);
        await RecordAsync(ledger, Records, "many");

        using (var db = new LiteDatabase(ctx.DatabasePath))
        {
            var docs = db.GetCollection(Collections.Audit).FindAll().ToList();
            Assert.All(docs, d => Assert.InRange(AuditPack.Expand(d).Count(), 1, AuditPack.MaxRecords));
        }

        // From inside a pack, across pack boundaries, to the end.
        var read = await ledger.ReadAuditAsync(afterSeq: 100, max: AuditPack.MaxRecords + 50);
        Assert.Equal(Enumerable.Range(101, AuditPack.MaxRecords + 50).Select(i => (long)i), read.Select(r => r.Seq));
        Assert.Equal(Records - 500, (await ledger.ReadAuditAsync(afterSeq: 500, max: 10_000)).Count);

        var background = await ledger.VerifyInBackgroundAsync().WaitAsync(Deadline);
        Assert.True(background.IsValid, background.ToString());
        Assert.Equal(Records, background.RecordsChecked);
    }

    [Fact]
    public async Task Records_stored_one_per_document_by_an_earlier_schema_are_read_refunded_verified_and_followed_by_packs()
    {
        using var ctx = new LedgerTestContext(new PrivacyPolicyOptions { MaxBudgetPerUser = 1000 });
        long charge;
        using (var ledger = ctx.Open())
        {
            charge = (await ledger.ChargeAsync(LedgerTestContext.Charge("dr-old"))).AuditSeq;
            await RecordAsync(ledger, 10, "old");
        }

        using (var db = new LiteDatabase(ctx.DatabasePath))
        {
            StoredAuditRecords.RewriteOnePerDocument(db.GetCollection(Collections.Audit), records => records);
            db.GetCollection(Collections.Meta).Upsert(new BsonDocument { ["_id"] = Collections.SchemaDoc, ["version"] = 2 });
        }

        using (var ledger = ctx.Open())
        {
            Assert.Null(ledger.ReadOnlyReason);
            Assert.True((await ledger.RefundAsync(charge, "backend failed")).Refunded);
            await RecordAsync(ledger, 30, "new");
            var export = await ledger.ExportDataSubjectAsync("dr-old", 100);
            Assert.Equal([charge, 12L], export.AuditRecords.Select(r => r.Seq));
            Assert.Equal(42, (await ledger.ReadAuditAsync(0, 1000)).Count);
            var result = await ledger.VerifyAsync();
            Assert.True(result.IsValid, result.ToString());
            Assert.Equal(42, result.RecordsChecked);
        }

        using var reopened = new LiteDatabase(ctx.DatabasePath);
        Assert.Equal(SchemaMigrations.CurrentVersion, SchemaMigrations.Version(reopened));
        var docs = reopened.GetCollection(Collections.Audit).FindAll().ToList();
        Assert.Equal(11, docs.Count(d => !AuditPack.IsPack(d)));
        Assert.Contains(docs, d => AuditPack.IsPack(d) && AuditPack.Expand(d).Count() > 1);
    }

    [Fact]
    public async Task A_pack_keyed_by_another_seq_is_reported_and_its_records_are_missing()
    {
        using var ctx = await TwoPacksOfFiveAsync();
        var result = await VerifyAfterAsync(ctx, audit =>
        {
            var pack = audit.FindById(5L);
            audit.Delete(5L);
            pack["_id"] = 7L;
            audit.Insert(pack);
        });

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Kind == VerificationProblemKind.MalformedRecord && p.Message.Contains("ends with record 5", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Kind == VerificationProblemKind.MissingRecord && p.Seq == 1);
    }

    [Fact]
    public async Task A_pack_whose_records_are_not_an_array_is_reported()
    {
        using var ctx = await TwoPacksOfFiveAsync();
        var result = await VerifyAfterAsync(ctx, audit =>
        {
            var pack = audit.FindById(10L);
            pack[AuditPack.Records] = "gone";
            audit.Update(pack);
        });

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Kind == VerificationProblemKind.MalformedRecord && p.Seq == 10 && p.Message.Contains("holds no records", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_read_in_the_middle_of_a_group_stores_the_records_before_it_in_order_and_loses_none()
    {
        using var ctx = new LedgerTestContext(new PrivacyPolicyOptions { MaxBudgetPerUser = 1000 });
        using var ledger = LongLinger(ctx);
        var charge = await ledger.ChargeAsync(LedgerTestContext.Charge("dr-a")).WaitAsync(Deadline);
        var commits = ledger.GroupCommits;

        // 30 outcome records linger; the refund (awaited) joins their group and reads the charge in the middle of it.
        var before = Enumerable.Range(0, 30)
            .Select(i => ledger.RecordAsync(new AuditEntry { RequestId = $"before-{i}", UserId = "dr-b", HttpStatus = 200 }, CommitTiming.Deferrable))
            .ToList();
        var refund = await ledger.RefundAsync(charge.AuditSeq, "backend failed").WaitAsync(Deadline);
        await Task.WhenAll(before).WaitAsync(Deadline);

        Assert.True(refund.Refunded);
        Assert.Equal(commits + 1, ledger.GroupCommits);
        Assert.Equal(charge.AuditSeq + 31, refund.AuditSeq);
        var records = await ledger.ReadAuditAsync(charge.AuditSeq, 100);
        Assert.Equal(Enumerable.Range(1, 31).Select(i => charge.AuditSeq + i), records.Select(r => r.Seq));
        Assert.Equal("before-0", records[0].Entry.RequestId);
        Assert.Equal(AuditDecisions.Refunded, records[^1].Entry.Decision);
        var result = await ledger.VerifyAsync();
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public async Task A_record_duplicated_inside_a_pack_is_reported()
    {
        using var ctx = new LedgerTestContext();
        using (var ledger = LongLinger(ctx))
        {
            await RecordAsync(ledger, 8, "first");
        }

        var result = await VerifyAfterAsync(ctx, audit =>
        {
            var pack = audit.FindById(8L);
            var records = pack[AuditPack.Records].AsArray;
            records.Insert(4, records[2]);
            audit.Update(pack);
        });

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Kind == VerificationProblemKind.UnexpectedRecord && p.Seq == 3);
    }

    [Fact]
    public async Task Retention_prunes_whole_packs_and_the_kept_chain_verifies()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = LiteDbPrivacyLedger.Open(ctx.Options() with
        {
            AuditRetentionDays = 5,
            DataRetentionDays = 3,
            DeferredCommitLinger = TimeSpan.FromMinutes(10),
        });
        await RecordAsync(ledger, 25, "old");
        ctx.Time.Advance(TimeSpan.FromDays(10));
        await RecordAsync(ledger, 7, "new");

        var pruned = await ledger.PruneAsync();
        Assert.Equal(25, pruned.AuditRecordsPruned);
        Assert.Equal(26, pruned.FirstKeptSeq);
        var result = await ledger.VerifyAsync();
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(26, result.FirstSeq);
        Assert.Equal(33, result.LastSeq);
    }

    [Fact]
    public async Task A_group_of_outcome_records_allocates_a_fraction_of_a_document_per_record()
    {
        // Groups of 100: a document per record 12,522 B per record (LiteDB's skip-list walk and its pages, per
        // document); a pack per group 2,200.
        const int MaxBytesPerRecord = 6_000;
        using var ctx = new LedgerTestContext();
        using var ledger = LongLinger(ctx);
        for (var i = 0; i < 20; i++)
        {
            await RecordAsync(ledger, 100, $"warm{i}");
        }

        var allocated = ledger.WriterAllocatedBytes;
        for (var i = 0; i < 20; i++)
        {
            await RecordAsync(ledger, 100, $"measured{i}");
        }

        var perRecord = (ledger.WriterAllocatedBytes - allocated) / 2000;
        Assert.True(perRecord < MaxBytesPerRecord, $"{perRecord:N0} B per record (bound {MaxBytesPerRecord:N0})");
    }

    [Fact]
    public async Task Retention_reads_one_pack_at_a_time_however_much_it_keeps()
    {
        // It read 4,096 documents at once, records when each held one: 40 full packs held 10,240 records and
        // cost 39.3 MB for a prune that pruned nothing. A document at a time: 1.1 MB.
        const long MaxBytes = 8_000_000;
        using var ctx = new LedgerTestContext();
        using var ledger = LiteDbPrivacyLedger.Open(ctx.Options() with { AuditRetentionDays = 5, DeferredCommitLinger = TimeSpan.FromMinutes(10) });
        for (var i = 0; i < 40; i++)
        {
            await RecordAsync(ledger, AuditPack.MaxRecords, $"kept{i}");
        }

        await ledger.PruneAsync();
        var allocated = ledger.WriterAllocatedBytes;
        var pruned = await ledger.PruneAsync();

        Assert.Equal(0, pruned.AuditRecordsPruned);
        var bytes = ledger.WriterAllocatedBytes - allocated;
        Assert.True(bytes < MaxBytes, $"{bytes:N0} B for a prune that pruned nothing (bound {MaxBytes:N0})");
    }

    [Fact]
    public async Task Retention_does_not_prune_a_damaged_pack_out_of_sight()
    {
        using var ctx = new LedgerTestContext();
        var options = ctx.Options() with
        {
            AuditRetentionDays = 5,
            DeferredCommitLinger = TimeSpan.FromMinutes(10),
            FullVerificationAtOpenMaxRecords = 0,
        };
        using (var ledger = LiteDbPrivacyLedger.Open(options))
        {
            await RecordAsync(ledger, 5, "old-a");
            await RecordAsync(ledger, 5, "old-b");
            await RecordAsync(ledger, 5, "old-c");
        }

        using (var db = new LiteDatabase(ctx.DatabasePath))
        {
            var audit = db.GetCollection(Collections.Audit);
            var pack = audit.FindById(10L);
            pack[AuditPack.Records] = "gone";
            audit.Update(pack);
        }

        // Not verified at open (the background verification is due): the damage is still unreported when retention runs.
        ctx.Time.Advance(TimeSpan.FromDays(10));
        using var reopened = LiteDbPrivacyLedger.Open(options);
        Assert.Null(reopened.ReadOnlyReason);
        await RecordAsync(reopened, 3, "new");

        var pruned = await reopened.PruneAsync();
        Assert.Equal(0, pruned.AuditRecordsPruned);
        var result = await reopened.VerifyAsync();
        Assert.Contains(result.Problems, p => p.Kind == VerificationProblemKind.MalformedRecord && p.Seq == 10);
    }

    [Fact]
    public async Task Refunds_of_charges_stored_in_one_pack_decode_it_once()
    {
        // Each lookup decoded the whole pack holding the charge (here 220 records) once per refund: 19.4 MB for
        // 20 refunds; the pack decoded once: 2.6 MB.
        const long MaxBytes = 8_000_000;
        const int Charges = 20;
        using var ctx = new LedgerTestContext(new PrivacyPolicyOptions { MaxBudgetPerUser = 1000 });
        using var ledger = LongLinger(ctx);
        var outcomes = Enumerable.Range(0, 200)
            .Select(i => ledger.RecordAsync(new AuditEntry { RequestId = $"outcome-{i}", UserId = $"u{i % 4}", HttpStatus = 200 }, CommitTiming.Deferrable))
            .ToList();
        var charges = await Task.WhenAll(Enumerable.Range(0, Charges).Select(i => ledger.ChargeAsync(LedgerTestContext.Charge($"dr-{i}")))).WaitAsync(Deadline);
        await Task.WhenAll(outcomes).WaitAsync(Deadline);
        Assert.True(ledger.GroupCommits <= 2, $"{ledger.GroupCommits} commits: the charges were meant to share the outcome records' group");

        var allocated = ledger.WriterAllocatedBytes;
        foreach (var charge in charges)
        {
            Assert.True((await ledger.RefundAsync(charge.AuditSeq, "backend failed")).Refunded);
        }

        var bytes = ledger.WriterAllocatedBytes - allocated;
        Assert.True(bytes < MaxBytes, $"{bytes:N0} B for {Charges} refunds (bound {MaxBytes:N0})");
        Assert.True((await ledger.VerifyAsync()).IsValid);
    }

    /// <summary>Deferred records linger until an immediate write or the flush: each call is one group commit.</summary>
    private static LiteDbPrivacyLedger LongLinger(LedgerTestContext ctx) =>
        LiteDbPrivacyLedger.Open(ctx.Options() with { DeferredCommitLinger = TimeSpan.FromMinutes(10) });

    private static async Task RecordAsync(LiteDbPrivacyLedger ledger, int count, string prefix)
    {
        var writes = Enumerable.Range(0, count)
            .Select(i => ledger.RecordAsync(new AuditEntry { RequestId = $"{prefix}-{i}", UserId = $"u{i % 4}", HttpStatus = 200 }, CommitTiming.Deferrable))
            .ToList();
        await ledger.FlushAsync().WaitAsync(Deadline);
        await Task.WhenAll(writes).WaitAsync(Deadline);
    }

    /// <summary>Records 1–5 in one pack (keyed 5), 6–10 in another (keyed 10).</summary>
    private static async Task<LedgerTestContext> TwoPacksOfFiveAsync()
    {
        var ctx = new LedgerTestContext();
        using var ledger = LongLinger(ctx);
        await RecordAsync(ledger, 5, "first");
        await RecordAsync(ledger, 5, "second");
        return ctx;
    }

    private static Task<VerificationResult> VerifyAfterAsync(LedgerTestContext ctx, Action<ILiteCollection<BsonDocument>> tamper) =>
        ctx.VerifyAfterTamperingAsync(db => tamper(db.GetCollection(Collections.Audit)));
}
