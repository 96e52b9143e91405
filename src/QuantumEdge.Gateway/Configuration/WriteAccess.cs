using System.Runtime.InteropServices;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// Whether this process's user can write where the node keeps its state: <c>node.data_dir</c>, the
/// local ledger's directory (<c>storage.ledger_dir</c>, default <c>&lt;data_dir&gt;/ledger</c>) and
/// the files already in it, and the directory of <c>logging.file</c> (rotation creates and renames
/// files there). A directory that does not exist yet is judged by the nearest part of its path that
/// does, where it would be created. Judged with <c>access(2)</c>, so a read-only mount counts, and a
/// ledger file left behind by a run as root is named before the service stops on it with a bare
/// "access denied". Not part of reading the configuration (any user may read it: <c>token issue</c>,
/// <c>audit verify</c>): <c>serve</c> checks it at start, and <c>check-config</c>, for the user that
/// runs it. <c>storage.node_key_dir</c> is only read by <c>serve</c>, so it may stay read-only.
/// </summary>
public static class WriteAccess
{
    private const int ReadOk = 4;
    private const int WriteOk = 2;
    private const int ExecuteOk = 1;
    private const int EPerm = 1;
    private const int EAccess = 13;
    private const int EReadOnlyFileSystem = 30;

    /// <summary>Files of the ledger's directory looked at, at most: the ledger keeps a handful.</summary>
    private const int MaxLedgerEntries = 256;

    /// <summary>Each configured place this process cannot write, as (configuration key, problem); empty on Windows, where <c>access(2)</c> does not exist.</summary>
    public static IReadOnlyList<(string Key, string Problem)> Problems(NodeConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<(string Key, string Problem)>();
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return problems;
        }

        var refused = new HashSet<string>(StringComparer.Ordinal);
        WritableDirectory("node.data_dir", config.Node.DataDir, "its state", problems, refused);
        if (config.Storage.LocalLedgerDir(config.Node) is { } ledger)
        {
            var key = config.Storage.LedgerDir is null ? "node.data_dir" : "storage.ledger_dir";
            if (WritableDirectory(key, ledger, "the ledger", problems, refused, ReadOk) && System.IO.Directory.Exists(ledger))
            {
                LedgerFiles(key, ledger, problems);
            }
        }

        if (config.Logging.File is { } logFile && Path.GetDirectoryName(Path.GetFullPath(logFile)) is { } logDirectory)
        {
            WritableDirectory("logging.file", logDirectory, "its log files", problems, refused);
            if (File.Exists(logFile) && !Allowed(logFile, WriteOk))
            {
                problems.Add(("logging.file", $"'{logFile}' cannot be written by user '{Environment.UserName}'"));
            }
        }

        return problems;
    }

    /// <summary>
    /// Adds a problem unless <paramref name="path"/> (or where it would be created) is writable, once per
    /// directory refused (the ledger's default place under a refused data directory is not named twice);
    /// returns whether it is writable.
    /// </summary>
    private static bool WritableDirectory(string key, string path, string what, List<(string Key, string Problem)> problems, HashSet<string> refused, int alsoNeeded = 0)
    {
        var full = Path.GetFullPath(path);
        var existing = DirectoryPath.NearestExisting(full);
        var needed = WriteOk | ExecuteOk | (existing == full ? alsoNeeded : 0);
        var refusal = Refusal(existing, needed);
        if (refusal == 0)
        {
            return true;
        }

        if (!refused.Add(existing))
        {
            return false;
        }

        var where = existing == full ? $"'{existing}'" : $"'{existing}' (where '{path}' would be created)";
        var readOnlyMount = refusal == EReadOnlyFileSystem ? " (a read-only file system)" : "";
        problems.Add((key, $"{where} is not {((needed & ReadOk) != 0 ? "readable and writable" : "writable")} by user '{Environment.UserName}'{readOnlyMount}; the node writes {what} there"));
        return false;
    }

    /// <summary>
    /// The regular files in the ledger's directory (its database, log, head and lock files) must be readable and
    /// writable; anything else there (a volume's <c>lost+found</c>, an operator's notes directory) is not the node's.
    /// </summary>
    private static void LedgerFiles(string key, string ledger, List<(string Key, string Problem)> problems)
    {
        try
        {
            foreach (var file in new DirectoryInfo(ledger).EnumerateFiles().Take(MaxLedgerEntries))
            {
                if (file.LinkTarget is null && !Allowed(file.FullName, ReadOk | WriteOk))
                {
                    problems.Add((key, $"'{file.FullName}' cannot be read and written by user '{Environment.UserName}' (left by a run as another user, such as root?); the node opens the ledger's files for writing"));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add((key, $"the files of '{ledger}' cannot be listed by user '{Environment.UserName}': {e.Message}"));
        }
    }

    private static bool Allowed(string path, int mode) => Refusal(path, mode) == 0;

    /// <summary>
    /// Why <c>access(2)</c> refuses <paramref name="mode"/> on <paramref name="path"/> (EACCES, EPERM or EROFS), or 0.
    /// Only a refusal counts; any other error (the path vanished meanwhile) is left to the node to report.
    /// </summary>
    private static int Refusal(string path, int mode)
    {
        if (Access(path, mode) == 0)
        {
            return 0;
        }

        var error = Marshal.GetLastPInvokeError();
        return error is EAccess or EPerm or EReadOnlyFileSystem ? error : 0;
    }

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    private static extern int Access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
}
