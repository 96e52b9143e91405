using System.Security.Cryptography;
using System.Text;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Backup;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Privacy;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Ledger.Tests;

public sealed class StoreTests
{
    private static string FileHash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static async Task CreateWithData(LedgerTestContext ctx, int charges = 5)
    {
        using var ledger = ctx.Open();
        for (var i = 0; i < charges; i++)
        {
            await ledger.ChargeAsync(LedgerTestContext.Charge("u"));
        }
    }

    [Fact]
    public async Task Wrong_master_key_is_a_clear_error_and_changes_nothing()
    {
        using var ctx = new LedgerTestContext();
        await CreateWithData(ctx);
        var before = FileHash(ctx.DatabasePath);
        var error = Assert.Throws<MasterKeyMismatchException>(() => ctx.Open("not-the-key"));
        Assert.Contains("MASTER_KEY", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, FileHash(ctx.DatabasePath));
        using var ledger = ctx.Open();
        Assert.Equal(5, (await ledger.GetBudgetAsync("u")).State.Queries);
    }

    [Fact]
    public async Task Missing_master_key_on_an_existing_store_is_a_clear_error_and_changes_nothing()
    {
        using var ctx = new LedgerTestContext();
        await CreateWithData(ctx);
        var before = FileHash(ctx.DatabasePath);
        var error = Assert.Throws<MasterKeyMissingException>(() => ctx.Open(masterKey: null));
        Assert.Contains("MASTER_KEY is not set", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, FileHash(ctx.DatabasePath));
    }

    [Theory]
    [InlineData("\n", @"ends with a line break (\n)")]
    [InlineData(" ", "ends with a space")]
    public void A_master_key_ending_in_whitespace_never_creates_a_store(string edge, string named)
    {
        // The same key written without the line break (a systemd EnvironmentFile, a restore on another
        // host) would never open a ledger created from these bytes.
        using var ctx = new LedgerTestContext();
        var error = Assert.Throws<MasterKeyUnusableException>(() => ctx.Open(LedgerTestContext.MasterKey + edge));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Contains("no ledger was created", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(LedgerTestContext.MasterKey, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(ctx.DatabasePath));
        Assert.False(File.Exists(Path.Combine(ctx.DataDirectory, "ledger-log.db")));
        Assert.False(File.Exists(Path.Combine(ctx.DataDirectory, "ledger.head")));
    }

    [Fact]
    public async Task A_key_that_does_not_match_says_when_it_carries_a_line_break()
    {
        using var ctx = new LedgerTestContext();
        await CreateWithData(ctx);
        var withBreak = Assert.Throws<MasterKeyMismatchException>(() => ctx.Open(LedgerTestContext.MasterKey + "\n"));
        Assert.Contains(@"The MASTER_KEY given ends with a line break (\n): if the ledger was created from the key without it, remove it.",
            withBreak.Message, StringComparison.Ordinal);
        var plain = Assert.Throws<MasterKeyMismatchException>(() => ctx.Open("not-the-key"));
        Assert.DoesNotContain("line break", plain.Message, StringComparison.Ordinal);
        using var ledger = ctx.Open();
        Assert.Equal(5, (await ledger.GetBudgetAsync("u")).State.Queries);
    }

    [Fact]
    public void Missing_master_key_never_creates_a_store()
    {
        using var ctx = new LedgerTestContext();
        Assert.Throws<MasterKeyMissingException>(() => ctx.Open(masterKey: ""));
        Assert.False(File.Exists(ctx.DatabasePath));
    }

    [Fact]
    public async Task Truncated_database_file_is_a_clear_error()
    {
        using var ctx = new LedgerTestContext();
        await CreateWithData(ctx, 200);
        using (var stream = new FileStream(ctx.DatabasePath, FileMode.Open))
        {
            stream.SetLength(stream.Length / 3);
        }

        var error = Assert.Throws<LedgerCorruptException>(() => ctx.Open());
        Assert.Contains(ctx.DatabasePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_whose_header_LiteDB_cannot_read_is_refused_and_left_byte_for_byte_as_found()
    {
        using var ctx = new LedgerTestContext();
        await CreateWithData(ctx, 200);
        using (var stream = new FileStream(ctx.DatabasePath, FileMode.Open))
        {
            // The header page and one more: the collection list points past the end.
            stream.SetLength(16384);
        }

        var damaged = File.ReadAllBytes(ctx.DatabasePath);

        var error = Assert.Throws<LedgerCorruptException>(() => ctx.Open());

        Assert.Contains(ctx.DatabasePath, error.Message, StringComparison.Ordinal);
        // LiteDB marks a file it failed to read (a byte in its header page) as it closes; opening
        // for writing must not change the evidence of the damage it reports.
        Assert.Equal(damaged, File.ReadAllBytes(ctx.DatabasePath));
        Assert.Throws<LedgerCorruptException>(() => ctx.Open());
        Assert.Equal(damaged, File.ReadAllBytes(ctx.DatabasePath));
    }

    [Fact]
    public void A_directory_in_the_database_files_place_is_named_as_one()
    {
        using var ctx = new LedgerTestContext();
        Directory.CreateDirectory(ctx.DatabasePath);

        var error = Assert.Throws<LedgerCorruptException>(() => ctx.Open());

        Assert.Contains($"'{ctx.DatabasePath}' is a directory", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(ctx.DatabasePath));
    }

    [Fact]
    public async Task Garbage_database_file_is_a_clear_error()
    {
        using var ctx = new LedgerTestContext();
        await CreateWithData(ctx);
        var bytes = File.ReadAllBytes(ctx.DatabasePath);
        RandomNumberGenerator.Fill(bytes.AsSpan(0, 8192));
        File.WriteAllBytes(ctx.DatabasePath, bytes);
        var error = Assert.Throws<LedgerCorruptException>(() => ctx.Open());
        Assert.Contains(ctx.DatabasePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_open_of_the_same_directory_is_refused()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = ctx.Open();
        await ledger.ChargeAsync(LedgerTestContext.Charge("u"));
        Assert.Throws<LedgerLockedException>(() => ctx.Open());
    }

    [Fact]
    public async Task No_plain_user_id_or_department_appears_in_any_stored_file()
    {
        const string user = "zebra.patient-lookup.user.7781@st-example-hospital";
        const string department = "paediatric-oncology-unit-b";
        using var ctx = new LedgerTestContext();
        using (var ledger = ctx.Open())
        {
            await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ledger.ChargeAsync(LedgerTestContext.Charge(user, department))));
            await ledger.RecordAsync(new AuditEntry { RequestId = "r", UserId = user, Department = department, HttpStatus = 200 });
            await ledger.ResetBudgetAsync(user, new Budgets.AdminActor { UserId = "admin", RequestId = "x" });
            var records = await ledger.ReadAuditAsync(0);
            Assert.Contains(records, r => r.Entry.UserId == user && r.Entry.Department == department);
        }

        foreach (var file in Directory.EnumerateFiles(ctx.DataDirectory, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var secret in new[] { user, department, "zebra.patient" })
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"'{secret}' found in {file}");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(secret)) < 0, $"'{secret}' (UTF-16) found in {file}");
            }
        }
    }

    [Fact]
    public async Task Backup_while_writing_restores_into_a_new_directory_and_verifies()
    {
        using var ctx = new LedgerTestContext(new PrivacyPolicyOptions { MaxBudgetPerUser = 100_000 });
        var backupDir = Path.Combine(ctx.Root, "backup");
        BackupManifest manifest;
        long totalAfter;
        using (var ledger = ctx.Open())
        {
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var n = 0;
                while (!stop.IsCancellationRequested || n < 20)
                {
                    await ledger.ChargeAsync(LedgerTestContext.Charge($"writer-{w}"));
                    n++;
                }
            })).ToArray();

            // Wait for real progress, then back up while the writers keep going.
            while (ledger.OperationsCommitted < 40)
            {
                await Task.Yield();
            }

            manifest = await ledger.BackupAsync(backupDir);
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            totalAfter = (await ledger.VerifyAsync()).LastSeq;
            Assert.True(manifest.LastSeq > 0 && manifest.LastSeq <= totalAfter);
        }

        var restoreDir = Path.Combine(ctx.Root, "restored");
        var restored = await LedgerBackup.RestoreAsync(backupDir, ctx.Options(dataDirectory: restoreDir));
        Assert.Equal(manifest.LastSeq, restored.LastSeq);

        using var reopened = LiteDbPrivacyLedger.Open(ctx.Options(dataDirectory: restoreDir));
        var verification = await reopened.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
        Assert.Equal(manifest.LastSeq, verification.LastSeq);
        var budgets = await reopened.ListBudgetsAsync();
        Assert.Equal(manifest.LastSeq, budgets.Sum(b => b.State.Queries));
        Assert.True((await reopened.ChargeAsync(LedgerTestContext.Charge("after-restore"))).Admitted);
    }

    [Fact]
    public async Task Restore_of_a_corrupted_backup_is_refused_and_leaves_the_target_untouched()
    {
        using var ctx = new LedgerTestContext();
        var backupDir = Path.Combine(ctx.Root, "backup");
        using (var ledger = ctx.Open())
        {
            await ledger.ChargeAsync(LedgerTestContext.Charge("u"));
            await ledger.BackupAsync(backupDir);
        }

        var before = FileHash(ctx.DatabasePath);
        var backupDb = Path.Combine(backupDir, "ledger.db");
        var bytes = File.ReadAllBytes(backupDb);
        bytes[^100] ^= 0xFF;
        File.WriteAllBytes(backupDb, bytes);

        var error = await Assert.ThrowsAsync<LedgerCorruptException>(() => LedgerBackup.RestoreAsync(backupDir, ctx.Options()));
        Assert.Contains("manifest", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, FileHash(ctx.DatabasePath));
    }

    [Fact]
    public async Task Restore_of_a_backup_with_a_tampered_chain_is_refused_even_with_a_matching_manifest()
    {
        using var ctx = new LedgerTestContext();
        var backupDir = Path.Combine(ctx.Root, "backup");
        using (var ledger = ctx.Open())
        {
            for (var i = 0; i < 5; i++)
            {
                await ledger.ChargeAsync(LedgerTestContext.Charge("u"));
            }

            await ledger.BackupAsync(backupDir);
        }

        var backupDb = Path.Combine(backupDir, "ledger.db");
        using (var db = new LiteDB.LiteDatabase(backupDb))
        {
            StoredAuditRecords.Change(db.GetCollection("audit"), 3, doc => doc["eps"] = 0.0);
        }

        // Rewrite the manifest so its hashes match the tampered file.
        var manifest = BackupManifest.Parse(File.ReadAllBytes(Path.Combine(backupDir, BackupManifest.FileName)));
        var files = manifest.Files.Select(f => f.Name == "ledger.db"
            ? f with { Length = new FileInfo(backupDb).Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(backupDb))) }
            : f).ToArray();
        File.WriteAllBytes(Path.Combine(backupDir, BackupManifest.FileName), (manifest with { Files = files }).ToJson());

        var target = Path.Combine(ctx.Root, "target");
        var error = await Assert.ThrowsAsync<LedgerCorruptException>(() => LedgerBackup.RestoreAsync(backupDir, ctx.Options(dataDirectory: target)));
        Assert.Contains("does not verify", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(target, "ledger.db")));
    }

    [Fact]
    public async Task Restore_is_refused_while_a_node_holds_the_directory()
    {
        using var ctx = new LedgerTestContext();
        var backupDir = Path.Combine(ctx.Root, "backup");
        using var ledger = ctx.Open();
        await ledger.ChargeAsync(LedgerTestContext.Charge("u"));
        await ledger.BackupAsync(backupDir);
        await Assert.ThrowsAsync<LedgerLockedException>(() => LedgerBackup.RestoreAsync(backupDir, ctx.Options()));
    }

    [Fact]
    public void Node_identity_round_trips_through_pem_files_with_private_permissions()
    {
        using var ctx = new LedgerTestContext();
        var dir = Path.Combine(ctx.Root, "keys");
        using var identity = NodeIdentity.Generate();
        identity.Save(dir);
        using var loaded = NodeIdentity.Load(dir);
        Assert.Equal(identity.PublicKeyBytes, loaded.PublicKeyBytes);
        var signature = loaded.Sign("hello"u8);
        Assert.True(identity.Verify("hello"u8, signature));
        using var publicOnly = NodeIdentity.LoadPublic(Path.Combine(dir, NodeIdentity.PublicKeyFileName));
        Assert.True(publicOnly.Verify("hello"u8, signature));
        Assert.False(publicOnly.CanSign);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(dir, NodeIdentity.PrivateKeyFileName)), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, NodeIdentity.PrivateKeyFileName)));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                File.GetUnixFileMode(Path.Combine(dir, NodeIdentity.PublicKeyFileName)));
        }
    }

    [Fact]
    public async Task Node_key_is_created_under_the_data_dir_on_first_start_only()
    {
        using var ctx = new LedgerTestContext();
        var options = ctx.Options() with { NodeIdentity = null };
        using (var first = LiteDbPrivacyLedger.Open(options))
        {
            Assert.True(first.NodeKeyCreated);
            await first.ChargeAsync(LedgerTestContext.Charge("u"));
        }

        using var second = LiteDbPrivacyLedger.Open(options);
        Assert.False(second.NodeKeyCreated);
        Assert.True((await second.VerifyAsync()).IsValid);
    }

    [Fact]
    public void Prompt_fingerprint_is_keyed_and_stable()
    {
        using var ctx = new LedgerTestContext();
        string a, b;
        using (var ledger = ctx.Open())
        {
            a = ledger.PromptFingerprint.Compute("summarise the discharge letter");
        }

        using (var ledger = ctx.Open())
        {
            b = ledger.PromptFingerprint.Compute("summarise the discharge letter");
            Assert.NotEqual(a, ledger.PromptFingerprint.Compute("summarise the discharge letter."));
        }

        Assert.Equal(a, b);
        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData("summarise the discharge letter"u8)), a);
        Assert.Equal(64, a.Length);
    }
}
