using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace QuantumEdge.Ledger.Storage;

/// <summary>
/// What a file is, read on Linux with <c>statx</c>: by path without opening it or following a link
/// (<c>AT_SYMLINK_NOFOLLOW</c>), or on a descriptor already open. The ledger opens its files read-write
/// or takes locks on them: a FIFO there blocks a read-only open for ever, and a device or a link would
/// have the ledger write where its data directory does not say; an operator's file (the configuration,
/// a key) must be the regular file it names. Elsewhere, and where <c>statx</c> is missing (a C library
/// older than glibc 2.28) or refused (a seccomp filter), links and directories are told apart by path;
/// the other kinds are not visible to .NET there. An entry that cannot be examined by path (no search
/// permission on its directory, say) is not called anything: the open that follows names the real problem.
/// </summary>
public static class FileTypes
{
    private const int EmptyPath = 0x1000, NoFollow = 0x100;
    private const uint TypeOnly = 0x1;
    private static volatile bool _statxUnavailable;

    /// <summary>Null when <paramref name="path"/> does not exist or is a regular file; otherwise what it is (<c>a FIFO (named pipe)</c>).</summary>
    public static string? NotRegular(string path) =>
        OperatingSystem.IsLinux() && !_statxUnavailable && TryStatx(-100 /* AT_FDCWD */, path, NoFollow, out var kind, out _) ? kind : NotRegularPortable(path);

    /// <summary>
    /// Null when the open <paramref name="handle"/> is a regular file (or its kind cannot be read on this system:
    /// the caller's reads are bounded and non-blocking); otherwise what it is. Linux only.
    /// </summary>
    /// <exception cref="IOException">The descriptor cannot be examined.</exception>
    public static string? NotRegular(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (_statxUnavailable || !TryStatx((int)handle.DangerousGetHandle(), "", EmptyPath, out var kind, out var errno))
        {
            return null;
        }

        return errno == 0 ? kind : throw new IOException(Marshal.GetPInvokeErrorMessage(errno));
    }

    /// <summary>Links and directories only; what .NET can tell on every platform.</summary>
    internal static string? NotRegularPortable(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget is not null ? "a symbolic link" : Directory.Exists(path) ? "a directory" : null;
    }

    /// <summary>
    /// False when statx cannot answer at all (from now on the portable check is used). Otherwise <paramref name="errno"/>
    /// is 0 and <paramref name="kind"/> the answer, or the call failed for this entry (ENOENT, EACCES…) and kind is null.
    /// </summary>
    private static bool TryStatx(int directory, string path, int flags, out string? kind, out int errno)
    {
        kind = null;
        errno = 0;
        FileStatus status;
        try
        {
            if (StatusOf(directory, path, flags, TypeOnly, out status) != 0)
            {
                errno = Marshal.GetLastPInvokeError();
                if (errno is 1 /* EPERM */ or 38 /* ENOSYS */)
                {
                    _statxUnavailable = true;
                    return false;
                }

                return true;
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _statxUnavailable = true;
            return false;
        }

        kind = (status.Mode & 0xF000) switch
        {
            0x8000 => null,
            0x4000 => "a directory",
            0xA000 => "a symbolic link",
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "not a regular file",
        };
        return true;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int StatusOf(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out FileStatus status);

    /// <summary><c>struct statx</c>, which unlike <c>struct stat</c> has one layout on every architecture; only <c>stx_mode</c> is read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct FileStatus
    {
        [FieldOffset(28)]
        public ushort Mode;
    }
}
