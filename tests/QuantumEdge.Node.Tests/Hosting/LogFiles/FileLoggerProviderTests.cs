using Microsoft.Extensions.Logging;
using QuantumEdge.Node.Hosting.LogFiles;

namespace QuantumEdge.Node.Tests.Hosting.LogFiles;

/// <summary>The file gets the console's JSON lines; a full queue drops and counts instead of blocking the caller.</summary>
public sealed class FileLoggerProviderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-filelog-").FullName;

    [Fact]
    public void A_full_queue_drops_and_counts_lines_without_blocking_then_the_rest_reach_the_file()
    {
        var path = Path.Combine(_dir, "node.log");
        var counted = 0;
        var provider = new FileLoggerProvider(new RotatingLogFile(path, 1 << 20, 2), capacity: 4,
            onDrop: () => Interlocked.Increment(ref counted), start: false);
        var logger = provider.CreateLogger("QuantumEdge.Test");
        for (var i = 0; i < 10; i++)
        {
            logger.LogInformation("line {N}", i);
        }

        Assert.Equal(6, provider.Dropped);
        Assert.Equal(6, counted);
        provider.Start();
        provider.Dispose();

        var lines = File.ReadAllLines(path);
        Assert.Equal(4, lines.Length);
        using var json = System.Text.Json.JsonDocument.Parse(lines[0]);
        Assert.Equal("line 0", json.RootElement.GetProperty("Message").GetString());
        Assert.Equal("QuantumEdge.Test", json.RootElement.GetProperty("Category").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", json.RootElement.GetProperty("Timestamp").GetString());
    }

    [Fact]
    public void A_full_disk_loses_lines_and_counts_it_but_never_fails_the_shutdown()
    {
        var path = Path.Combine(_dir, "node.log");
        var failures = 0;
        var provider = new FileLoggerProvider(new RotatingLogFile(path, 1 << 20, 2, _ => new FullDiskStream()), capacity: 16,
            start: false, onFail: () => Interlocked.Increment(ref failures));
        var logger = provider.CreateLogger("QuantumEdge.Test");
        logger.LogInformation("one");
        logger.LogInformation("two");
        provider.Start();

        // Closing the file flushes it, and a full disk refuses that too, as a FileStream's close does.
        var error = Console.Error;
        using var stderr = new StringWriter();
        Console.SetError(stderr);
        try
        {
            provider.Dispose();
        }
        finally
        {
            Console.SetError(error);
        }

        Assert.True(provider.Failed >= 2, $"{provider.Failed} failures");
        Assert.Equal(provider.Failed + 1, failures);
        Assert.Contains("logging.file: the last log lines could not be written", stderr.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A file on a disk with no space left: every write and flush fails, and so does the close that flushes.</summary>
    private sealed class FullDiskStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw Full();

        public override void Write(ReadOnlySpan<byte> buffer) => throw Full();

        public override void Flush() => throw Full();

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            throw Full();
        }

        private static IOException Full() => new("No space left on device");
    }
}
