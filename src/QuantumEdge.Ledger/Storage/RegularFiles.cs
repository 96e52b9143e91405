namespace QuantumEdge.Ledger.Storage;

/// <summary>
/// Reads files the ledger did not necessarily write itself (the head file, a backup) as regular
/// files only, with a size bound: the entry is examined without following a link (lstat), so a
/// symlink to <c>/dev/zero</c>, a FIFO or a device is refused instead of hanging or filling memory.
/// </summary>
internal static class RegularFiles
{
    /// <summary>Why <paramref name="path"/> is not a regular file of at most <paramref name="maxBytes"/>, or null when it is (or does not exist).</summary>
    public static string? Problem(string path, long maxBytes)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return $"'{path}' is a symbolic link; only regular files are read";
        }

        if (!info.Exists)
        {
            return Directory.Exists(path) ? $"'{path}' is a directory, not a file" : null;
        }

        if (info.Length > maxBytes)
        {
            return $"'{path}' is {info.Length} bytes, more than the {maxBytes} allowed";
        }

        // Devices and FIFOs report no size; a regular file this code reads is never empty.
        return info.Length == 0 ? $"'{path}' is empty or not a regular file (a device or FIFO)" : null;
    }

    /// <summary>Opens a checked regular file for reading; throws <see cref="IOException"/> naming what is wrong.</summary>
    public static FileStream OpenRead(string path, long maxBytes)
    {
        if (Problem(path, maxBytes) is { } problem)
        {
            throw new IOException(problem);
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        if (stream.Length > maxBytes || stream.Length == 0)
        {
            // Replaced between the check and the open.
            stream.Dispose();
            throw new IOException($"'{path}' changed while it was being opened");
        }

        return stream;
    }

    /// <summary>The whole content of a checked regular file (null when it does not exist).</summary>
    public static byte[]? ReadAllBytes(string path, int maxBytes)
    {
        if (!File.Exists(path) && new FileInfo(path).LinkTarget is null)
        {
            return null;
        }

        using var stream = OpenRead(path, maxBytes);
        var content = new byte[stream.Length];
        stream.ReadExactly(content);
        return content;
    }
}
