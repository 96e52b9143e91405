using QuantumEdge.Federation.State;
using QuantumEdge.Federation.Tests.Gossip;

namespace QuantumEdge.Federation.Tests.State;

/// <summary>
/// The federation's state files (peers' heads, witness and receipt logs, budget use) are 0600 in a 0700
/// directory whatever the umask, as the ledger's files are; they were created with the umask's modes
/// (0644 and 0755 under the usual 022).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests : IDisposable
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = PrivateFile | UnixFileMode.UserExecute;
    private const UnixFileMode Readable = PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly TempDirectory _dir = new();

    [Fact]
    public void A_state_file_and_the_directory_it_creates_are_private()
    {
        var directory = Path.Combine(_dir.Path, "federation");
        var path = Path.Combine(directory, "state.json");

        DurableFile.Write(path, json => json.WriteStringValue("x"));

        AssertMode(PrivateDirectory, directory);
        AssertMode(PrivateFile, path);
    }

    [Fact]
    public void A_file_an_older_build_left_readable_and_a_crash_left_behind_as_temp_come_out_private()
    {
        var path = Path.Combine(_dir.Path, "state.json");
        File.WriteAllText(path, "\"old\"");
        File.WriteAllText(path + ".tmp", "\"half\"");
        File.SetUnixFileMode(path, Readable);
        File.SetUnixFileMode(path + ".tmp", Readable);

        DurableFile.Write(path, json => json.WriteStringValue("new"));

        AssertMode(PrivateFile, path);
        using var doc = DurableFile.Read(path);
        Assert.Equal("new", doc!.RootElement.GetString());
    }

    [Fact]
    public void A_member_narrows_its_directory_at_open_and_writes_every_state_file_private()
    {
        using var cluster = new TestCluster(2);
        var member = cluster[0];
        File.SetUnixFileMode(member.Directory, Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

        cluster.Open(member);
        cluster.PublishAll();

        AssertMode(PrivateDirectory, member.Directory);
        var files = Directory.GetFiles(member.Directory);
        Assert.NotEmpty(files);
        Assert.All(files, file => AssertMode(PrivateFile, file));
    }

    public void Dispose() => _dir.Dispose();

    private static void AssertMode(UnixFileMode expected, string path) =>
        Assert.True(File.GetUnixFileMode(path) == expected, $"{path}: {File.GetUnixFileMode(path)}, expected {expected}");
}
