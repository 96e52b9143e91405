using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Ledger.Tests.Storage;

/// <summary>
/// A directory fsync that cannot be done must not pass for done: the head file's rename and a restore's
/// renames are reported durable only after it. It used to ignore both open's and fsync's results.
/// </summary>
public sealed class DurableFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-durable-").FullName;

    [Fact]
    public void A_directory_that_cannot_be_opened_for_its_fsync_is_an_error_naming_it_and_the_cause()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows has no directory fsync; SyncDirectory does nothing there.
        }

        var missing = Path.Combine(_dir, "gone");

        var error = Assert.Throws<IOException>(() => DurableFiles.SyncDirectory(missing));

        Assert.Contains($"'{missing}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("errno 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_atomic_write_syncs_its_directory_and_leaves_only_the_new_content()
    {
        var path = Path.Combine(_dir, "state.json");
        DurableFiles.WriteAtomically(path, "old"u8);

        DurableFiles.WriteAtomically(path, "new"u8);
        DurableFiles.SyncDirectory(_dir);

        Assert.Equal("new"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
