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

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
