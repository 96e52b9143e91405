using QuantumEdge.Node.Cli;

namespace QuantumEdge.Node.Tests.Cli;

/// <summary>
/// What <c>audit export -o</c> and <c>incident collect -o</c> write is 0600 whatever the umask; it was
/// created with the umask's mode (0644 under the usual 022), readable by every account on the host.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateOutputFileTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-private-out-").FullName;

    [Fact]
    public async Task A_new_file_is_private()
    {
        var path = Path.Combine(_dir, "export.jsonl");

        await using (var stream = PrivateOutputFile.Create(path))
        {
            stream.WriteByte((byte)'x');
        }

        Assert.Equal(Private, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task An_existing_target_is_truncated_and_keeps_the_mode_the_operator_gave_it()
    {
        var path = Path.Combine(_dir, "export.jsonl");
        await File.WriteAllTextAsync(path, "an older, longer export");
        const UnixFileMode Shared = Private | UnixFileMode.GroupRead;
        File.SetUnixFileMode(path, Shared);

        await using (var stream = PrivateOutputFile.Create(path))
        {
            stream.WriteByte((byte)'x');
        }

        Assert.Equal(Shared, File.GetUnixFileMode(path));
        Assert.Equal("x", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task A_device_target_is_written_and_not_re_moded()
    {
        var before = File.GetUnixFileMode("/dev/null");

        await using (var stream = PrivateOutputFile.Create("/dev/null"))
        {
            stream.WriteByte((byte)'x');
        }

        Assert.Equal(before, File.GetUnixFileMode("/dev/null"));
    }

    [Fact]
    public async Task A_new_only_write_refuses_an_existing_file_and_leaves_it_alone()
    {
        var path = Path.Combine(_dir, "bundle.json.sig");
        await PrivateOutputFile.WriteNewAsync(path, "signature\n", CancellationToken.None);

        await Assert.ThrowsAsync<IOException>(() => PrivateOutputFile.WriteNewAsync(path, "other\n", CancellationToken.None));

        Assert.Equal("signature\n", await File.ReadAllTextAsync(path));
        Assert.Equal(Private, File.GetUnixFileMode(path));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
