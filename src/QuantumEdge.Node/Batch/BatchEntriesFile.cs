using System.Security.Cryptography;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// A batch's answers (its output and error entries, one JSON line each), appended and fsync'd
/// before the ledger records the line as done or failed with the entry's offset, length and
/// SHA-256. The ledger is the truth: an entry a crash left unrecorded (or a torn tail) is never
/// read, because only recorded offsets are; a recorded entry that no longer matches its checksum is
/// reported as damage. The file lives beside the batch files (a shared volume on several replicas),
/// so the replica that takes a batch over appends to the same file.
/// </summary>
internal sealed class BatchEntriesFile : IDisposable
{
    private readonly FileStream _file;

    private BatchEntriesFile(FileStream file) => _file = file;

    public static string PathFor(string directory, string batchId) => System.IO.Path.Combine(directory, batchId + ".jsonl");

    /// <summary>Opens (creating, mode 0600) the file for appending.</summary>
    public static BatchEntriesFile Open(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var file = new FileStream(path, options);
        file.Position = file.Length;
        return new BatchEntriesFile(file);
    }

    /// <summary>Appends one entry and its newline durably; returns where it is and its checksum.</summary>
    public (long Offset, int Length, string Sha256) Append(ReadOnlySpan<byte> entry)
    {
        var offset = _file.Length;
        _file.Position = offset;
        _file.Write(entry);
        _file.Write("\n"u8);
        _file.Flush(flushToDisk: true);
        return (offset, entry.Length, Convert.ToHexStringLower(SHA256.HashData(entry)));
    }

    /// <summary>Reads a recorded entry, checking it against its recorded SHA-256.</summary>
    public static byte[] Read(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path, long offset, int length, string? sha256)
    {
        var entry = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(file, entry.AsSpan(read), offset + read);
            if (n == 0)
            {
                throw new IOException($"the batch entries file {path} ends before an entry the ledger records at offset {offset}; it was truncated");
            }

            read += n;
        }

        if (sha256 is null || Convert.ToHexStringLower(SHA256.HashData(entry)) != sha256)
        {
            throw new IOException($"the entry at offset {offset} of {path} does not match the checksum the ledger recorded; the file is damaged");
        }

        return entry;
    }

    public void Dispose() => _file.Dispose();
}
