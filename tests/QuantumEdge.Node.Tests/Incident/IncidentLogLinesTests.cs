using QuantumEdge.Node.Incident;

namespace QuantumEdge.Node.Tests.Incident;

/// <summary>The incident bundle's log lines: the window only, rotated files oldest first, bounded.</summary>
public sealed class IncidentLogLinesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-incident-logs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Line(DateTimeOffset t, string message) =>
        $"{{\"Timestamp\":\"{t.UtcDateTime:yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'}\",\"EventId\":0,\"LogLevel\":\"Information\",\"Message\":\"{message}\"}}";

    [Fact]
    public void Lines_of_the_window_come_from_the_rotated_files_oldest_first()
    {
        var t0 = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
        var log = Path.Combine(_dir, "node.log");
        File.WriteAllLines(log + ".2", [Line(t0, "too-old"), Line(t0.AddMinutes(10), "first")]);
        File.WriteAllLines(log + ".1", [Line(t0.AddMinutes(20), "second"), "not json at all"]);
        File.WriteAllLines(log, [Line(t0.AddMinutes(30), "third"), Line(t0.AddMinutes(90), "too-new")]);

        var (lines, truncated, files) = IncidentLogLines.Read(log, maxFiles: 5, t0.AddMinutes(5), t0.AddMinutes(60));

        Assert.Equal(["first", "second", "third"], lines.Select(l => l.Split("\"Message\":\"")[1].TrimEnd('"', '}')).ToArray());
        Assert.False(truncated);
        Assert.Equal([log + ".2", log + ".1", log], files);
    }

    [Fact]
    public void A_window_larger_than_the_cap_keeps_its_newest_lines()
    {
        var t0 = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
        var log = Path.Combine(_dir, "node.log");
        File.WriteAllLines(log, Enumerable.Range(0, 100).Select(i => Line(t0.AddSeconds(i), "line-" + i)));
        var oneLine = Line(t0, "line-00").Length;

        var (lines, truncated, _) = IncidentLogLines.Read(log, maxFiles: 1, t0, t0.AddHours(1), maxBytes: oneLine * 10);

        Assert.True(truncated);
        Assert.InRange(lines.Count, 9, 10);
        Assert.Contains("line-99", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void No_files_yet_is_an_empty_window()
    {
        var (lines, truncated, files) = IncidentLogLines.Read(Path.Combine(_dir, "absent.log"), 3, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Empty(lines);
        Assert.False(truncated);
        Assert.Empty(files);
    }
}
