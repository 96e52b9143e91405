using System.Globalization;
using QuantumEdge.Node.Hosting.LogFiles;

namespace QuantumEdge.Node.Tests.Hosting.LogFiles;

/// <summary>Size-based rotation keeps a bounded number of bounded files, newest lines in the live one, mode 0640.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RotatingLogFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-logfile-").FullName;

    [Fact]
    public void Rotation_keeps_at_most_max_files_each_within_the_size_and_no_line_is_split()
    {
        var path = Path.Combine(_dir, "logs", "node.log");
        using (var file = new RotatingLogFile(path, maxBytes: 2048, maxFiles: 3))
        {
            for (var i = 0; i < 500; i++)
            {
                file.Append(Line(i));
            }
        }

        var names = Directory.GetFiles(Path.Combine(_dir, "logs")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "node.log", "node.log.1", "node.log.2" }, names);
        foreach (var name in names)
        {
            Assert.InRange(new FileInfo(Path.Combine(_dir, "logs", name!)).Length, 1, 2048);
        }

        // Oldest first: .2, .1, live — one unbroken run of whole lines ending with the last one written.
        var lines = new[] { "node.log.2", "node.log.1", "node.log" }.SelectMany(n => File.ReadAllLines(Path.Combine(_dir, "logs", n))).ToList();
        var first = int.Parse(lines[0][5..9], CultureInfo.InvariantCulture);
        Assert.Equal(Enumerable.Range(first, lines.Count).Select(Line), lines);
        Assert.Equal(Line(499), lines[^1]);
    }

    [Fact]
    public void Files_are_mode_0640_whatever_the_umask()
    {
        var path = Path.Combine(_dir, "node.log");
        using (var file = new RotatingLogFile(path, maxBytes: 1024, maxFiles: 2))
        {
            for (var i = 0; i < 40; i++)
            {
                file.Append(Line(i));
            }
        }

        const UnixFileMode expected = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        Assert.Equal(expected, File.GetUnixFileMode(path));
        Assert.Equal(expected, File.GetUnixFileMode(path + ".1"));
    }

    [Fact]
    public void Reopening_appends_and_a_line_longer_than_a_file_is_cut_to_the_bound()
    {
        var path = Path.Combine(_dir, "node.log");
        using (var file = new RotatingLogFile(path, maxBytes: 1024, maxFiles: 2))
        {
            file.Append("first");
        }

        using (var file = new RotatingLogFile(path, maxBytes: 1024, maxFiles: 2))
        {
            file.Append(new string('x', 5000));
        }

        Assert.Equal(new[] { "first" }, File.ReadAllLines(path + ".1"));
        Assert.Equal(1024, new FileInfo(path).Length);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Line(int i) => $"{{\"n\":{i:D4},\"pad\":\"{new string('p', 40)}\"}}";
}
