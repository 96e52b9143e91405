using System.Diagnostics;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Ledger.Tests.Storage;

/// <summary>
/// A FIFO, a directory or a link where one of the ledger's files belongs is refused by name before
/// anything is created or locked: the FIFO used to block a read-only open for ever (at the lock) and to
/// fail a writable one with "Stream does not support seeking" after a data file had been created.
/// </summary>
public sealed class FileTypesTests
{
    public static TheoryData<string, bool> EveryFileBothWays()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in new[] { LedgerPaths.LockFileName, LedgerPaths.DatabaseFileName, LedgerPaths.LogFileName, LedgerPaths.HeadFileName })
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryFileBothWays))]
    public async Task A_FIFO_in_place_of_a_ledger_file_is_refused_by_name_without_blocking_or_creating_anything(string name, bool readOnly)
    {
        using var ctx = new LedgerTestContext();
        var fifo = Path.Combine(ctx.DataDirectory, name);
        MakeFifo(fifo);

        // A regression would block on the FIFO: bounded, so it fails instead of hanging the run.
        var error = await Assert.ThrowsAsync<LedgerCorruptException>(() =>
            Task.Run(() => LiteDbPrivacyLedger.Open(ctx.Options() with { ReadOnly = readOnly })).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains($"'{fifo}' is a FIFO (named pipe), not a regular file", error.Message, StringComparison.Ordinal);
        Assert.Equal([fifo], Directory.GetFileSystemEntries(ctx.DataDirectory));
    }

    [Fact]
    public void A_symbolic_link_in_place_of_the_database_is_refused_even_to_a_regular_file()
    {
        using var ctx = new LedgerTestContext();
        var elsewhere = Path.Combine(ctx.Root, "elsewhere.db");
        File.WriteAllBytes(elsewhere, []);
        File.CreateSymbolicLink(ctx.DatabasePath, elsewhere);

        var error = Assert.Throws<LedgerCorruptException>(() => ctx.Open());

        Assert.Contains($"'{ctx.DatabasePath}' is a symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(elsewhere).Length);
        Assert.Single(Directory.GetFileSystemEntries(ctx.DataDirectory));
    }

    [Fact]
    public void Regular_files_and_missing_ones_pass_and_the_kinds_are_named()
    {
        using var ctx = new LedgerTestContext();
        var file = Path.Combine(ctx.DataDirectory, "regular");
        File.WriteAllText(file, "x");
        Assert.Null(FileTypes.NotRegular(file));
        Assert.Null(FileTypes.NotRegular(Path.Combine(ctx.DataDirectory, "missing")));
        Assert.Null(FileTypes.NotRegular(Path.Combine(file, "below-a-file")));
        Assert.Equal("a directory", FileTypes.NotRegular(ctx.DataDirectory));
        Assert.Equal("a character device", FileTypes.NotRegular("/dev/zero"));
    }

    [Fact]
    public void An_entry_that_cannot_be_examined_is_left_to_the_open_that_follows_instead_of_being_called_damage()
    {
        // statx answers ENAMETOOLONG here, as it answers EACCES under a directory without search permission.
        var tooLong = Path.Combine(Path.GetTempPath(), new string('x', 300));

        Assert.Null(FileTypes.NotRegular(tooLong));
    }

    [Fact]
    public void The_portable_check_used_where_statx_is_missing_or_refused_still_tells_links_and_directories()
    {
        using var ctx = new LedgerTestContext();
        var file = Path.Combine(ctx.DataDirectory, "regular");
        File.WriteAllText(file, "x");
        var link = Path.Combine(ctx.DataDirectory, "link");
        File.CreateSymbolicLink(link, file);

        Assert.Null(FileTypes.NotRegularPortable(file));
        Assert.Null(FileTypes.NotRegularPortable(Path.Combine(ctx.DataDirectory, "missing")));
        Assert.Equal("a symbolic link", FileTypes.NotRegularPortable(link));
        Assert.Equal("a directory", FileTypes.NotRegularPortable(ctx.DataDirectory));
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
