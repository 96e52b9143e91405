using System.Text;
using QuantumEdge.Node.Hosting.LogLines;

namespace QuantumEdge.Node.Hosting.LogFiles;

/// <summary>
/// One log file that rotates by size: when the next line would take <c>node.log</c> past the limit
/// it becomes <c>node.log.1</c> (the older ones shift up, the oldest beyond the count is deleted) and
/// a new <c>node.log</c> starts. At most <c>maxFiles</c> files, each at most <c>maxBytes</c> (a
/// single longer line is cut). Files are created mode 0640. One writer thread only.
/// </summary>
internal sealed class RotatingLogFile : ILineSink, IDisposable
{
    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private readonly Func<string, Stream> _open;
    private Stream _stream;

    /// <summary>Opens (appends to) <paramref name="path"/>; I/O problems surface here, at start-up.</summary>
    public RotatingLogFile(string path, long maxBytes, int maxFiles)
        : this(path, maxBytes, maxFiles, Open)
    {
    }

    /// <summary>As the public constructor, with the files opened by <paramref name="open"/> (tests stand in a disk that fills up).</summary>
    internal RotatingLogFile(string path, long maxBytes, int maxFiles, Func<string, Stream> open)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, 1);
        _path = Path.GetFullPath(path);
        _maxBytes = maxBytes;
        _maxFiles = maxFiles;
        _open = open;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _stream = open(_path);
    }

    /// <summary>Appends one line (without its newline); rotates first when it would not fit.</summary>
    public void Append(string line) => Append(Encoding.UTF8.GetBytes(line));

    /// <summary>Appends one line of UTF-8 (without its newline); rotates first when it would not fit.</summary>
    public void Append(ReadOnlySpan<byte> line)
    {
        if (_stream.Length > 0 && _stream.Length + line.Length + 1 > _maxBytes)
        {
            Rotate();
        }

        // A line longer than a whole file is cut rather than allowed past the bound.
        _stream.Write(line[..(int)Math.Min(line.Length, _maxBytes - 1)]);
        _stream.Write(NewLine);
    }

    /// <summary>Hands what was appended to the operating system (a shipper sees it now).</summary>
    public void Flush() => _stream.Flush();

    public void Dispose() => _stream.Dispose();

    private void Rotate()
    {
        _stream.Dispose();
        if (_maxFiles == 1)
        {
            File.Delete(_path);
        }
        else
        {
            File.Delete($"{_path}.{_maxFiles - 1}");
            for (var i = _maxFiles - 2; i >= 1; i--)
            {
                var older = $"{_path}.{i}";
                if (File.Exists(older))
                {
                    File.Move(older, $"{_path}.{i + 1}");
                }
            }

            File.Move(_path, _path + ".1");
        }

        _stream = _open(_path);
    }

    private static FileStream Open(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read | FileShare.Delete };
        var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
        {
            // Set, not created with: the unit's UMask=0077 would take the group's read away, and a shipper may read as the group.
            File.SetUnixFileMode(stream.SafeFileHandle, Mode);
        }

        return stream;
    }
}
