using System.Runtime.InteropServices;

namespace QuantumEdge.Ledger.Storage;

/// <summary>Crash-safe small-file replacement and directory fsync.</summary>
internal static class DurableFiles
{
    private const int Ebadf = 9;
    private const int Eacces = 13;
    private const int Einval = 22;

    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temp = path + ".tmp";
        using (var stream = CreatePrivate(temp))
        {
            stream.Write(content);
            stream.Flush(true);
        }

        File.Move(temp, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Makes a rename or create in <paramref name="directory"/> durable (no-op on Windows). A failed fsync
    /// is an <see cref="IOException"/>: the rename may not survive a crash, so the caller must not report
    /// it done. As PostgreSQL does, a file system that cannot fsync a directory (EINVAL, EBADF) or open
    /// one for reading (EACCES) is not an error: there is nothing more to make durable there.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            var openError = Marshal.GetLastPInvokeError();
            if (openError == Eacces)
            {
                return;
            }

            throw new IOException($"The directory '{directory}' could not be opened to make a rename in it durable: {Describe(openError)}.");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                var syncError = Marshal.GetLastPInvokeError();
                if (syncError is not (Einval or Ebadf))
                {
                    throw new IOException($"fsync of the directory '{directory}' failed ({Describe(syncError)}): a file just renamed or created in it may not survive a crash.");
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    public static void CopyDurably(string source, string destination)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var output = CreatePrivate(destination);
        input.CopyTo(output);
        output.Flush(true);
    }

    /// <summary>Creates (or truncates) a file that only the service account can read: 0600 whatever the umask.</summary>
    public static FileStream CreatePrivate(string path)
    {
        // Unbuffered: every caller writes whole spans and then fsyncs, so a buffer would only be allocated and copied through.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileModes.PrivateFile;
        }

        var stream = new FileStream(path, options);
        FileModes.Set(path, FileModes.PrivateFile);
        return stream;
    }

    private static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
