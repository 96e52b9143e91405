using System.Runtime.InteropServices;
using System.Text.Json;

namespace QuantumEdge.Federation.State;

/// <summary>
/// Small JSON state files replaced atomically: write a temp file, fsync it, rename over the old
/// one, fsync the directory. After kill -9 the file holds either the old or the new content,
/// never a mix; once <see cref="Write"/> returns, the new content survives a crash. Files are 0600
/// and their directory 0700 (<see cref="PrivateFiles"/>).
/// </summary>
internal static class DurableFile
{
    private const int Ebadf = 9;
    private const int Eacces = 13;
    private const int Einval = 22;

    public static void Write(string path, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        PrivateFiles.CreateDirectory(directory);
        var temp = path + ".tmp";
        using (var stream = PrivateFiles.Create(temp))
        {
            stream.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        SyncDirectory(directory);
    }

    /// <summary>The parsed file, or null when it does not exist. Unparseable content is a <see cref="FederationStateException"/>.</summary>
    public static JsonDocument? Read(string path, int maxBytes = 64 * 1024 * 1024)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }

            if (info.Length > maxBytes)
            {
                throw new FederationStateException(path, $"it is {info.Length} bytes, more than the {maxBytes} this file can hold");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new FederationStateException(path, "it cannot be read: " + ex.Message, ex);
        }

        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new FederationStateException(path, "it is not valid JSON", ex);
        }
    }

    /// <summary>Runs <paramref name="read"/> over the file and turns any shape problem into a named error.</summary>
    public static T Parse<T>(string path, JsonElement root, Func<JsonElement, T> read)
    {
        try
        {
            return read(root);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            throw new FederationStateException(path, ex.Message, ex);
        }
    }

    /// <summary>
    /// Makes a rename or create in <paramref name="directory"/> durable (no-op on Windows). A failed fsync
    /// is an <see cref="IOException"/>: the rename may not survive a crash, so the caller must not report
    /// it done. As PostgreSQL does, a file system that cannot fsync a directory (EINVAL, EBADF) or open
    /// one for reading (EACCES) is not an error: there is nothing more to make durable there.
    /// </summary>
    internal static void SyncDirectory(string directory)
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

    private static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
