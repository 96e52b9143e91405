using System.Diagnostics;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// <c>--config</c> pointing at something that is not a configuration file: the executable exits 2
/// at once, naming the path and what it is, instead of exhausting memory or blocking.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryConfigFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-config-arg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<string> RefusedAsync(string verb, string path)
    {
        // NodeProcess.RunAsync kills the process and throws after 60 s, so a hang fails rather than stalls.
        var (exit, output) = await NodeProcess.RunAsync(verb, "--config", path);

        Assert.Equal(2, exit);
        Assert.Contains($"'{path}'", output, StringComparison.Ordinal);
        return output;
    }

    [Theory]
    [InlineData("check-config")]
    [InlineData("serve")]
    public async Task Dev_zero_is_refused_as_a_character_device(string verb)
    {
        Assert.Contains("character device", await RefusedAsync(verb, "/dev/zero"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("check-config")]
    [InlineData("serve")]
    public async Task A_FIFO_is_refused_without_waiting_for_a_writer(string verb)
    {
        var fifo = Path.Combine(_dir, "config.yaml");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        Assert.Contains("FIFO", await RefusedAsync(verb, fifo), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_is_said_to_be_a_directory()
    {
        var output = await RefusedAsync("check-config", _dir);

        Assert.Contains("is a directory", output, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_config_over_1_MiB_is_refused()
    {
        var path = Path.Combine(_dir, "big.yaml");
        await using (var w = new StreamWriter(path))
        {
            await w.WriteAsync("node:\n  id: big\n");
            var line = "# " + new string('x', 1000) + "\n";
            for (var i = 0; i < 2048; i++)
            {
                await w.WriteAsync(line);
            }
        }

        Assert.Contains("larger than 1048576 bytes", await RefusedAsync("check-config", path), StringComparison.Ordinal);
    }
}
