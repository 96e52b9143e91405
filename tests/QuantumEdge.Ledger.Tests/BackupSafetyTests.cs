using System.Diagnostics;
using QuantumEdge.Ledger.Backup;
using QuantumEdge.Ledger.LiteDb;

namespace QuantumEdge.Ledger.Tests;

/// <summary>Backup targets and restore inputs are checked the same way on every path; restore reads regular files only (issue 7, finding 6).</summary>
public sealed class BackupSafetyTests
{
    private static async Task<(LedgerTestContext Ctx, string BackupDir)> BackupAsync()
    {
        var ctx = new LedgerTestContext();
        var backupDir = Path.Combine(ctx.Root, "backup");
        using var ledger = ctx.Open();
        await ledger.ChargeAsync(LedgerTestContext.Charge("u1"));
        await ledger.BackupAsync(backupDir);
        return (ctx, backupDir);
    }

    private static Task<LedgerCorruptException> RestoreRefusedAsync(LedgerTestContext ctx, string backupDir) =>
        Assert.ThrowsAsync<LedgerCorruptException>(() =>
            LedgerBackup.RestoreAsync(backupDir, ctx.Options(dataDirectory: Path.Combine(ctx.Root, "restored"))).WaitAsync(TimeSpan.FromSeconds(60)));

    [Fact]
    public async Task Backup_into_a_non_empty_directory_is_refused_and_leaves_it_alone()
    {
        using var ctx = new LedgerTestContext();
        var target = Path.Combine(ctx.Root, "busy");
        Directory.CreateDirectory(target);
        await File.WriteAllTextAsync(Path.Combine(target, "notes.txt"), "keep me");

        using var ledger = ctx.Open();
        var error = await Assert.ThrowsAsync<LedgerException>(() => ledger.BackupAsync(target));
        Assert.Contains("not empty", error.Message, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName));
        Assert.NotNull(BackupTarget.Problem(target));
        Assert.Null(BackupTarget.Problem(Path.Combine(ctx.Root, "fresh")));
    }

    [Fact]
    public async Task A_manifest_entry_that_is_a_symlink_to_dev_zero_is_refused_without_reading_it()
    {
        var (ctx, backupDir) = await BackupAsync();
        using (ctx)
        {
            var head = Path.Combine(backupDir, "ledger.head");
            File.Delete(head);
            File.CreateSymbolicLink(head, "/dev/zero");

            var error = await RestoreRefusedAsync(ctx, backupDir);
            Assert.Contains("ledger.head", error.Message, StringComparison.Ordinal);
            Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_manifest_entry_that_is_a_fifo_is_refused_without_opening_it()
    {
        var (ctx, backupDir) = await BackupAsync();
        using (ctx)
        {
            var head = Path.Combine(backupDir, "ledger.head");
            File.Delete(head);
            using (var mkfifo = Process.Start("mkfifo", [head]))
            {
                await mkfifo.WaitForExitAsync();
            }

            var error = await RestoreRefusedAsync(ctx, backupDir);
            Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("../ledger.db")]
    [InlineData("sub/ledger.db")]
    [InlineData("..")]
    [InlineData("passwd")]
    public async Task Manifest_names_other_than_the_backup_files_are_refused_by_name(string name)
    {
        var (ctx, backupDir) = await BackupAsync();
        using (ctx)
        {
            var manifestPath = Path.Combine(backupDir, BackupManifest.FileName);
            var manifest = BackupManifest.Parse(await File.ReadAllBytesAsync(manifestPath));
            var files = manifest.Files.Append(new BackupFile(name, 10, new string('0', 64))).ToList();
            await File.WriteAllBytesAsync(manifestPath, (manifest with { Files = files }).ToJson());

            var error = await RestoreRefusedAsync(ctx, backupDir);
            Assert.Contains($"lists '{name}', which is not a file a backup holds", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_file_of_another_length_than_its_manifest_says_is_named()
    {
        var (ctx, backupDir) = await BackupAsync();
        using (ctx)
        {
            await File.AppendAllTextAsync(Path.Combine(backupDir, "ledger.head"), " ");
            var error = await RestoreRefusedAsync(ctx, backupDir);
            Assert.Contains("ledger.head is", error.Message, StringComparison.Ordinal);
            Assert.Contains("manifest says", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_symlinked_manifest_is_refused()
    {
        var (ctx, backupDir) = await BackupAsync();
        using (ctx)
        {
            var manifestPath = Path.Combine(backupDir, BackupManifest.FileName);
            File.Delete(manifestPath);
            File.CreateSymbolicLink(manifestPath, "/dev/zero");
            var error = await RestoreRefusedAsync(ctx, backupDir);
            Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        }
    }
    [Fact]
    public async Task A_backup_inside_the_ledgers_own_directory_is_refused_before_anything_is_written()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = ctx.Open();
        await ledger.ChargeAsync(LedgerTestContext.Charge("u1"));
        var inside = Path.Combine(ctx.DataDirectory, "backups", "today");

        var error = await Assert.ThrowsAsync<LedgerException>(() => ledger.BackupAsync(inside));
        Assert.Contains("inside the ledger's directory", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(ctx.DataDirectory, "backups")));
        Assert.NotNull(BackupTarget.Problem(ctx.DataDirectory + "/", ctx.DataDirectory));
        Assert.NotNull(BackupTarget.Problem(Path.Combine(ctx.DataDirectory, "sub", "..", "x"), ctx.DataDirectory));
        // A sibling whose name merely starts with the ledger directory's is elsewhere.
        Assert.Null(BackupTarget.Problem(ctx.DataDirectory + "-backup", ctx.DataDirectory));
        await ledger.BackupAsync(Path.Combine(ctx.Root, "outside"));
    }

    [Fact]
    public async Task A_backup_reaching_the_ledgers_directory_through_a_symbolic_link_is_refused()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = ctx.Open();
        await ledger.ChargeAsync(LedgerTestContext.Charge("u1"));
        var toLedger = Path.Combine(ctx.Root, "to-ledger");
        Directory.CreateSymbolicLink(toLedger, ctx.DataDirectory);
        var toRoot = Path.Combine(ctx.Root, "to-root");
        Directory.CreateSymbolicLink(toRoot, ctx.Root);

        var error = await Assert.ThrowsAsync<LedgerException>(() => ledger.BackupAsync(Path.Combine(toLedger, "bk")));
        Assert.Contains("inside the ledger's directory", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(ctx.DataDirectory, "bk")));
        // A link higher up, and a ledger directory named through a link, lead to the same place.
        var underRoot = Path.Combine(toRoot, Path.GetRelativePath(ctx.Root, ctx.DataDirectory), "deeper", "bk");
        Assert.NotNull(BackupTarget.Problem(underRoot, ctx.DataDirectory));
        Assert.NotNull(BackupTarget.Problem(Path.Combine(ctx.DataDirectory, "bk"), toLedger));
        // A link that leads elsewhere is elsewhere, and a loop of links is no directory of the ledger's.
        Assert.Null(BackupTarget.Problem(Path.Combine(toRoot, "outside"), ctx.DataDirectory));
        var loop = Path.Combine(ctx.Root, "loop");
        Directory.CreateSymbolicLink(loop, loop);
        Assert.NotNull(BackupTarget.Problem(loop, ctx.DataDirectory));
        Assert.Null(BackupTarget.Problem(Path.Combine(loop, "x"), ctx.DataDirectory));
        await ledger.BackupAsync(Path.Combine(toRoot, "outside"));
    }

    [Fact]
    public void A_link_whose_target_climbs_out_of_another_link_is_followed_as_the_kernel_follows_it()
    {
        using var ctx = new LedgerTestContext();
        // links/l -> <root>/sub, and links/a -> links/l/../data: the kernel applies ".." after following l, so a is <root>/data,
        // the ledger's directory; read as text, links/l/../data is links/data, somewhere else.
        var sub = Directory.CreateDirectory(Path.Combine(ctx.Root, "sub")).FullName;
        var links = Directory.CreateDirectory(Path.Combine(ctx.Root, "links")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(links, "l"), sub);
        var climbing = Path.Combine(links, "a");
        Directory.CreateSymbolicLink(climbing, Path.Combine(links, "l", "..", Path.GetFileName(ctx.DataDirectory)));
        Assert.Equal(new DirectoryInfo(ctx.DataDirectory).FullName, Path.GetFullPath(Path.Combine(sub, "..", Path.GetFileName(ctx.DataDirectory))));

        Assert.Contains("inside the ledger's directory", BackupTarget.Problem(Path.Combine(climbing, "bk"), ctx.DataDirectory), StringComparison.Ordinal);
        Assert.Contains("inside the ledger's directory", BackupTarget.Problem(Path.Combine(climbing, "new", "bk"), ctx.DataDirectory), StringComparison.Ordinal);
        Assert.Null(BackupTarget.Problem(Path.Combine(links, "l", "bk"), ctx.DataDirectory));
    }

    [Theory]
    [InlineData("\"format\": 2", "format 2")]
    [InlineData("\"format\": \"1\"", "format \"1\"")]
    [InlineData("\"formats\": 1", "format none")]
    public async Task A_manifest_of_another_format_is_refused_naming_it(string replacement, string named)
    {
        var (ctx, backupDir) = await BackupAsync();
        using (ctx)
        {
            var manifestPath = Path.Combine(backupDir, BackupManifest.FileName);
            var text = await File.ReadAllTextAsync(manifestPath);
            Assert.Contains("\"format\": 1", text, StringComparison.Ordinal);
            await File.WriteAllTextAsync(manifestPath, text.Replace("\"format\": 1", replacement, StringComparison.Ordinal));

            var error = await RestoreRefusedAsync(ctx, backupDir);
            Assert.Contains($"has {named}; this build restores format 1 only", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("files")]
    [InlineData("last_seq")]
    [InlineData("format")]
    public async Task A_manifest_with_a_key_twice_is_refused(string key)
    {
        var (ctx, backupDir) = await BackupAsync();
        using (ctx)
        {
            var manifestPath = Path.Combine(backupDir, BackupManifest.FileName);
            var text = await File.ReadAllTextAsync(manifestPath);
            var value = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty(key).GetRawText();
            // The same key again at the end, holding the same value: still refused, whichever of the two a reader took.
            var twice = text.TrimEnd()[..^1].TrimEnd() + $",\n  \"{key}\": {value}\n}}";
            await File.WriteAllTextAsync(manifestPath, twice);

            var error = await RestoreRefusedAsync(ctx, backupDir);
            Assert.Contains("unreadable", error.Message, StringComparison.Ordinal);
            Assert.Contains(key, error.Message, StringComparison.Ordinal);
        }
    }
}
