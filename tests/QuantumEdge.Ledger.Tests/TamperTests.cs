using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Privacy;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Ledger.Tests;

public sealed class TamperTests
{
    private const int Records = 30;

    /// <summary>30 records over several group commits (some concurrent, some one by one).</summary>
    private static async Task<LedgerTestContext> BuildAsync()
    {
        var ctx = new LedgerTestContext(new PrivacyPolicyOptions { MaxBudgetPerUser = 1000 });
        using var ledger = ctx.Open();
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(i => ledger.ChargeAsync(LedgerTestContext.Charge($"u{i}"))));
            await ledger.ChargeAsync(LedgerTestContext.Charge("solo"));
            await ledger.RecordAsync(new AuditEntry { RequestId = $"outcome-{round}", UserId = "solo", HttpStatus = 200, Backend = "vllm-1" });
        }

        Assert.Equal(Records, (await ledger.VerifyAsync()).LastSeq);
        return ctx;
    }

    private static void AssertFirstProblem(VerificationResult result, long seq, VerificationProblemKind kind)
    {
        Assert.False(result.IsValid);
        Assert.NotNull(result.FirstProblem);
        Assert.True(result.FirstProblem!.Seq == seq && result.FirstProblem.Kind == kind, result.ToString());
    }

    [Fact]
    public async Task Untampered_store_verifies()
    {
        using var ctx = await BuildAsync();
        var result = await ctx.VerifyAfterTamperingAsync(_ => { });
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(Records, result.RecordsChecked);
        Assert.True(result.CheckpointsChecked >= 9);
    }

    [Fact]
    public async Task Modified_field_is_detected_at_its_record()
    {
        using var ctx = await BuildAsync();
        var result = await ctx.VerifyAfterTamperingAsync(db =>
        {
            StoredAuditRecords.Change(db.GetCollection("audit"), 12, doc => doc["r"] = "admin");
        });
        AssertFirstProblem(result, 12, VerificationProblemKind.HashMismatch);
    }

    [Fact]
    public async Task Modified_epsilon_is_detected()
    {
        using var ctx = await BuildAsync();
        var result = await ctx.VerifyAfterTamperingAsync(db =>
        {
            StoredAuditRecords.Change(db.GetCollection("audit"), 3, doc => doc["eps"] = 0.0);
        });
        AssertFirstProblem(result, 3, VerificationProblemKind.HashMismatch);
    }

    [Fact]
    public async Task Deleted_middle_record_is_detected()
    {
        using var ctx = await BuildAsync();
        var result = await ctx.VerifyAfterTamperingAsync(db => StoredAuditRecords.Delete(db.GetCollection("audit"), 17));
        AssertFirstProblem(result, 17, VerificationProblemKind.MissingRecord);
    }

    [Fact]
    public async Task Forged_record_appended_with_a_valid_hash_is_detected_as_unsigned()
    {
        using var ctx = await BuildAsync();
        var result = await ctx.VerifyAfterTamperingAsync(db =>
        {
            var audit = db.GetCollection("audit");
            var last = StoredAuditRecords.Get(audit, Records);
            var forged = AuditDocument.Create(Records + 1, DateTime.UtcNow.Ticks,
                new AuditEntry { RequestId = "forged", Decision = AuditDecisions.Admitted }, null, null, null,
                last["h"].AsBinary, new CanonicalEncoder());
            audit.Insert(forged);
        });
        AssertFirstProblem(result, Records + 1, VerificationProblemKind.UnsignedTail);
    }

    [Fact]
    public async Task Forged_record_inserted_mid_chain_is_detected()
    {
        using var ctx = await BuildAsync();
        var result = await ctx.VerifyAfterTamperingAsync(db =>
        {
            // Shift records 10.. up by one and put a forged record at 10.
            StoredAuditRecords.RewriteOnePerDocument(db.GetCollection("audit"), records =>
            {
                foreach (var doc in records.Where(r => r["_id"].AsInt64 >= 10))
                {
                    doc["_id"] = doc["_id"].AsInt64 + 1;
                }

                var forged = AuditDocument.Create(10, DateTime.UtcNow.Ticks, new AuditEntry { RequestId = "forged" }, null, null, null,
                    records.Single(r => r["_id"].AsInt64 == 9)["h"].AsBinary, new CanonicalEncoder());
                return [.. records.Append(forged).OrderBy(r => r["_id"].AsInt64)];
            });
        });
        Assert.False(result.IsValid);
        Assert.InRange(result.FirstProblem!.Seq, 10, 11);
    }

    [Fact]
    public async Task Swapped_records_are_detected_at_the_first_one()
    {
        using var ctx = await BuildAsync();
        var result = await ctx.VerifyAfterTamperingAsync(db =>
        {
            var audit = db.GetCollection("audit");
            var a = StoredAuditRecords.Get(audit, 5);
            var b = StoredAuditRecords.Get(audit, 20);
            a["_id"] = 20L;
            b["_id"] = 5L;
            StoredAuditRecords.Replace(audit, 20, a);
            StoredAuditRecords.Replace(audit, 5, b);
        });
        AssertFirstProblem(result, 5, VerificationProblemKind.BrokenLink);
    }

    [Fact]
    public async Task Truncated_tail_with_its_checkpoints_is_detected_by_the_head_file()
    {
        using var ctx = await BuildAsync();
        long cut = 0;
        var result = await ctx.VerifyAfterTamperingAsync(db =>
        {
            // Cut at a group-commit boundary so what is left is covered by a genuine signed checkpoint.
            cut = db.GetCollection("checkpoints").Find(Query.LT("_id", Records)).Max(d => d["_id"].AsInt64);
            StoredAuditRecords.DeleteAfter(db.GetCollection("audit"), cut);
            db.GetCollection("checkpoints").DeleteMany(Query.GT("_id", cut));
        });
        AssertFirstProblem(result, cut + 1, VerificationProblemKind.Truncated);
    }

    [Fact]
    public async Task Truncated_tail_leaves_the_ledger_read_only()
    {
        using var ctx = await BuildAsync();
        using (var db = new LiteDatabase(ctx.DatabasePath))
        {
            StoredAuditRecords.DeleteAfter(db.GetCollection("audit"), 25);
            db.GetCollection("checkpoints").DeleteMany(Query.GT("_id", 25));
        }

        using var ledger = ctx.Open();
        Assert.NotNull(ledger.ReadOnlyReason);
        Assert.False(ledger.StoppedByStorageFailure); // tampering, not a storage failure: the compliance event differs
        await Assert.ThrowsAsync<LedgerTamperedException>(() => ledger.ChargeAsync(LedgerTestContext.Charge("x")));
    }

    [Fact]
    public async Task Forged_checkpoint_signature_is_detected()
    {
        using var ctx = await BuildAsync();
        long forgedSeq = 0;
        var result = await ctx.VerifyAfterTamperingAsync(db =>
        {
            var checkpoints = db.GetCollection("checkpoints");
            var doc = checkpoints.Find(Query.All()).First(d => d["_id"].AsInt64 > 5);
            forgedSeq = doc["_id"].AsInt64;
            var signature = doc["sig"].AsBinary;
            signature[0] ^= 0x01;
            doc["sig"] = signature;
            checkpoints.Update(doc);
        });
        AssertFirstProblem(result, forgedSeq, VerificationProblemKind.CheckpointSignatureInvalid);
    }

    [Fact]
    public async Task Deleted_head_file_is_detected()
    {
        using var ctx = await BuildAsync();
        File.Delete(Path.Combine(ctx.DataDirectory, "ledger.head"));
        using var ledger = ctx.Open();
        Assert.NotNull(ledger.ReadOnlyReason);
        var result = await ledger.VerifyAsync();
        Assert.Contains(result.Problems, p => p.Kind == VerificationProblemKind.HeadMissing);
    }

    [Fact]
    public async Task Chain_verifies_after_retention_pruning_and_pruned_start_is_anchored()
    {
        using var ctx = new LedgerTestContext(new PrivacyPolicyOptions { MaxBudgetPerUser = 1000 });
        var options = ctx.Options() with { AuditRetentionDays = 5, DataRetentionDays = 3 };
        using (var ledger = LiteDbPrivacyLedger.Open(options))
        {
            for (var i = 0; i < 10; i++)
            {
                await ledger.ChargeAsync(LedgerTestContext.Charge($"old-{i % 3}"));
            }

            ctx.Time.Advance(TimeSpan.FromDays(10));
            for (var i = 0; i < 5; i++)
            {
                await ledger.ChargeAsync(LedgerTestContext.Charge("new"));
            }

            var pruned = await ledger.PruneAsync();
            Assert.Equal(10, pruned.AuditRecordsPruned);
            Assert.Equal(3, pruned.BudgetRowsPruned);
            Assert.Equal(11, pruned.FirstKeptSeq);

            var result = await ledger.VerifyAsync();
            Assert.True(result.IsValid, result.ToString());
            Assert.Equal(11, result.FirstSeq);
            Assert.Equal(16, result.LastSeq);
            Assert.True((await ledger.ChargeAsync(LedgerTestContext.Charge("new"))).Admitted);
        }

        // Deleting the first kept record is still caught: the signed anchor names it.
        var afterDelete = await ctx.VerifyAfterTamperingAsync(db => StoredAuditRecords.Delete(db.GetCollection("audit"), 11));
        AssertFirstProblem(afterDelete, 11, VerificationProblemKind.MissingRecord);
    }
}
