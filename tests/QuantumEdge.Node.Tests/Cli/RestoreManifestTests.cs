using System.Diagnostics;

namespace QuantumEdge.Node.Tests.Cli;

/// <summary>restore reads a backup's manifest as it reads the backup's other files: a regular file, within its size cap, or a refusal naming it.</summary>
public sealed class RestoreManifestTests
{
    private const string Secret = "cli-test-secret-long-enough-for-hmac-sha256!";
    private const string MasterKey = "GLg78kYs/D/lBHLn4KXKuD5OYvRfholm+SUcAY15+VU=";

    [Theory]
    [InlineData("symlink", "is a symbolic link")]
    [InlineData("fifo", "not a regular file")]
    [InlineData("oversized", "manifest.json")]
    public async Task A_manifest_that_is_no_regular_file_of_its_size_is_refused_naming_it_without_reading_it(string kind, string named)
    {
        var dir = Directory.CreateTempSubdirectory("qe-restore-manifest-").FullName;
        try
        {
            var config = Path.Combine(dir, "node.yaml");
            await File.WriteAllTextAsync(config, $"node:\n  id: restore-manifest\n  data_dir: {Path.Combine(dir, "data")}\n");
            var backup = Directory.CreateDirectory(Path.Combine(dir, "backup")).FullName;
            var manifest = Path.Combine(backup, "manifest.json");
            switch (kind)
            {
                case "symlink":
                    // Read whole, it took 4 GB and ended in OutOfMemoryException.
                    File.CreateSymbolicLink(manifest, "/dev/zero");
                    break;
                case "fifo":
                    // Opened for reading, it waited for a writer for ever, deaf to SIGTERM.
                    using (var mkfifo = Process.Start("mkfifo", [manifest]))
                    {
                        await mkfifo.WaitForExitAsync();
                    }

                    break;
                default:
                    await File.WriteAllTextAsync(manifest, "{\"pad\":\"" + new string('x', 2 << 20) + "\"}");
                    break;
            }

            var r = await QuantumEdgeProcess.RunAsync(["restore", "--from", backup, "--config", config],
                new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = MasterKey }, TimeSpan.FromSeconds(60));

            Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}");
            Assert.Contains(named, r.Stderr, StringComparison.Ordinal);
            Assert.Contains("manifest.json", r.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
