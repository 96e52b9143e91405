using QuantumEdge.Federation.State;

namespace QuantumEdge.Federation.Tests.State;

/// <summary>
/// The federation's state files (own sequence, peer states) are replaced by rename; a directory fsync that
/// cannot be done must be an error, not a rename reported durable. It used to ignore open's and fsync's results.
/// </summary>
public sealed class DurableFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-fed-durable-").FullName;

    [Fact]
    public void A_directory_that_cannot_be_opened_for_its_fsync_is_an_error_naming_it_and_the_cause()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows has no directory fsync; SyncDirectory does nothing there.
        }

        var missing = Path.Combine(_dir, "gone");

        var error = Assert.Throws<IOException>(() => DurableFile.SyncDirectory(missing));

        Assert.Contains($"'{missing}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("errno 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_write_replaces_the_file_whole_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(_dir, "nested", "state.json");
        DurableFile.Write(path, json => json.WriteStringValue("old"));

        DurableFile.Write(path, json => json.WriteStringValue("new"));

        using var doc = DurableFile.Read(path);
        Assert.Equal("new", doc!.RootElement.GetString());
        Assert.Equal([path], Directory.GetFiles(Path.Combine(_dir, "nested")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
