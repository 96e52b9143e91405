using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// Reads a file the operator names (the configuration, certificates, keys), refusing anything that
/// is not a regular file within a size cap. Symbolic links are followed, so a link to a regular file
/// is fine and a link to a device or FIFO is not. On Linux the file is opened non-blocking and its
/// type checked on the open descriptor, so a FIFO cannot stall start-up and the file checked is the
/// file read.
/// </summary>
public static class RegularFile
{
    /// <summary>Largest configuration accepted: far above any real one, far below trouble.</summary>
    public const int MaxConfigurationBytes = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The configuration's text: a regular file of at most <see cref="MaxConfigurationBytes"/> of UTF-8.</summary>
    public static string ReadConfiguration(string path)
    {
        var bytes = Read(path, MaxConfigurationBytes, "--config");
        try
        {
            var text = StrictUtf8.GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException)
        {
            throw Refused("--config", path, "is not UTF-8 text");
        }
    }

    /// <summary>
    /// The bytes of a regular file of at most <paramref name="maxBytes"/>; otherwise a
    /// <see cref="ConfigurationException"/> under <paramref name="key"/> naming the path and the problem.
    /// </summary>
    public static byte[] Read(string path, int maxBytes, string key) =>
        OperatingSystem.IsLinux() ? ReadLinux(path, maxBytes, key) : ReadPortable(path, maxBytes, key);

    private static byte[] ReadLinux(string path, int maxBytes, string key)
    {
        const int ReadOnly = 0, NonBlocking = 0x800, CloseOnExec = 0x80000;
        var fd = Open(path, ReadOnly | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw Refused(key, path, errno switch
            {
                2 => "does not exist",
                13 => "cannot be read: permission denied",
                _ => $"cannot be opened: {Marshal.GetPInvokeErrorMessage(errno)}",
            });
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        string? kind;
        try
        {
            kind = FileTypes.NotRegular(handle);
        }
        catch (IOException e)
        {
            throw Refused(key, path, $"cannot be examined: {e.Message}");
        }

        if (kind is not null)
        {
            throw Refused(key, path, $"is {kind}, not a regular file");
        }

        using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        return ReadBounded(path, stream, maxBytes, key);
    }

    private static byte[] ReadPortable(string path, int maxBytes, string key)
    {
        if (Directory.Exists(path))
        {
            throw Refused(key, path, "is a directory, not a file");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            return ReadBounded(path, stream, maxBytes, key);
        }
        catch (FileNotFoundException)
        {
            throw Refused(key, path, "does not exist");
        }
        catch (DirectoryNotFoundException)
        {
            throw Refused(key, path, "does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            throw Refused(key, path, "cannot be read: permission denied");
        }
        catch (IOException e)
        {
            throw Refused(key, path, $"cannot be read: {e.Message}");
        }
    }

    /// <summary>Reads at most one byte past the cap, whatever the file claims its size is.</summary>
    private static byte[] ReadBounded(string path, Stream stream, int maxBytes, string key)
    {
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }
        }
        catch (IOException e)
        {
            throw Refused(key, path, $"cannot be read: {e.Message}");
        }

        return length > maxBytes
            ? throw Refused(key, path, $"is larger than {maxBytes} bytes, the limit for this file")
            : buffer.AsSpan(0, length).ToArray();
    }

    private static ConfigurationException Refused(string key, string path, string problem) => new(key, $"'{path}' {problem}");

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
