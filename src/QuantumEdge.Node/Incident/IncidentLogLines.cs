using System.Globalization;
using System.Text;

namespace QuantumEdge.Node.Incident;

/// <summary>
/// The node's own log lines of an incident window, read from <c>logging.file</c> and its rotated
/// predecessors (oldest first). The lines are the JSON console lines, which never carry prompt text,
/// tokens or user ids. Only the newest <see cref="MaxBytes"/> of the window are kept, so a noisy
/// window cannot make the bundle unbounded.
/// </summary>
internal static class IncidentLogLines
{
    public const int MaxBytes = 8 * 1024 * 1024;
    private const string TimestampKey = "\"Timestamp\":\"";

    /// <summary>The window's lines, whether older ones were dropped for size, and the files read.</summary>
    public static (IReadOnlyList<string> Lines, bool Truncated, IReadOnlyList<string> Files) Read(string path, int maxFiles, DateTimeOffset from, DateTimeOffset to, int maxBytes = MaxBytes)
    {
        var files = new List<string>();
        for (var i = maxFiles - 1; i >= 1; i--)
        {
            files.Add($"{path}.{i}");
        }

        files.Add(path);
        var kept = new Queue<string>();
        long bytes = 0;
        var truncated = false;
        var read = new List<string>();
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                continue;
            }

            read.Add(file);
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (reader.ReadLine() is { } line)
            {
                if (TimeOf(line) is not { } t || t < from || t >= to)
                {
                    continue;
                }

                kept.Enqueue(line);
                bytes += line.Length;
                while (bytes > maxBytes && kept.Count > 0)
                {
                    bytes -= kept.Dequeue().Length;
                    truncated = true;
                }
            }
        }

        return (kept.ToArray(), truncated, read);
    }

    /// <summary>The line's UTC timestamp (the JSON formatter writes it first), or null for a line that has none.</summary>
    internal static DateTimeOffset? TimeOf(string line)
    {
        var at = line.IndexOf(TimestampKey, StringComparison.Ordinal);
        if (at < 0 || at > 16)
        {
            return null;
        }

        var start = at + TimestampKey.Length;
        var end = line.IndexOf('"', start);
        return end > start && DateTimeOffset.TryParse(line.AsSpan(start, end - start), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : null;
    }
}
