using System.Diagnostics;
using System.Text;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary>What <c>--config</c> may point at: a regular file (or a link to one) of at most 1 MiB of UTF-8.</summary>
public sealed class ConfigurationFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-config-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<ConfigurationException> RefusedAsync(string path)
    {
        // A FIFO must be refused at once, not block the reader: a hang fails with a TimeoutException.
        var e = await Assert.ThrowsAsync<ConfigurationException>(() =>
            Task.Run(() => ConfigurationLoader.LoadFile(path, TestEnvironment.Empty)).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("--config", e.Key);
        Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal);
        return e;
    }

    private string MakeFifo()
    {
        var path = Path.Combine(_dir, "config.fifo");
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    [Fact]
    public async Task A_character_device_is_refused_as_not_a_regular_file()
    {
        Assert.Contains("character device", (await RefusedAsync("/dev/zero")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_FIFO_is_refused_at_once_without_waiting_for_a_writer()
    {
        Assert.Contains("FIFO", (await RefusedAsync(MakeFifo())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_to_a_device_or_FIFO_is_refused_like_its_target()
    {
        var toZero = Path.Combine(_dir, "zero.yaml");
        File.CreateSymbolicLink(toZero, "/dev/zero");
        var toFifo = Path.Combine(_dir, "fifo.yaml");
        File.CreateSymbolicLink(toFifo, MakeFifo());

        Assert.Contains("character device", (await RefusedAsync(toZero)).Message, StringComparison.Ordinal);
        Assert.Contains("FIFO", (await RefusedAsync(toFifo)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_to_a_regular_file_is_read()
    {
        var target = Path.Combine(_dir, "real.yaml");
        File.WriteAllText(target, "node:\n  id: via-link\n");
        var link = Path.Combine(_dir, "link.yaml");
        File.CreateSymbolicLink(link, target);

        Assert.Equal("via-link", ConfigurationLoader.LoadFile(link, TestEnvironment.Empty).Node.Id);
    }

    [Fact]
    public async Task A_directory_is_refused_as_a_directory_not_as_access_denied()
    {
        var e = await RefusedAsync(_dir);

        Assert.Contains("is a directory", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_missing_file_is_said_not_to_exist()
    {
        Assert.Contains("does not exist", (await RefusedAsync(Path.Combine(_dir, "absent.yaml"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_over_1_MiB_is_refused_and_one_of_exactly_1_MiB_is_read()
    {
        var head = "node:\n  id: big\n"u8.ToArray();
        var exact = Path.Combine(_dir, "exact.yaml");
        File.WriteAllBytes(exact, [.. head, .. Comment(RegularFile.MaxConfigurationBytes - head.Length)]);
        var over = Path.Combine(_dir, "over.yaml");
        File.WriteAllBytes(over, [.. head, .. Comment(RegularFile.MaxConfigurationBytes - head.Length + 1)]);

        Assert.Equal("big", ConfigurationLoader.LoadFile(exact, TestEnvironment.Empty).Node.Id);
        Assert.Contains("larger than 1048576 bytes", (await RefusedAsync(over)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_UTF_8_is_refused()
    {
        var path = Path.Combine(_dir, "latin1.yaml");
        File.WriteAllBytes(path, [.. "node:\n  name: Klinik M"u8, 0xfc, .. "nchen\n"u8]);

        Assert.Contains("not UTF-8", (await RefusedAsync(path)).Message, StringComparison.Ordinal);
    }

    /// <summary>A YAML comment of exactly <paramref name="length"/> bytes, newline included.</summary>
    private static byte[] Comment(int length) => Encoding.ASCII.GetBytes("#" + new string('x', length - 2) + "\n");
}
