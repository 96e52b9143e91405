using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// Files the CLI writes with audit records in them (<c>audit export -o</c>, <c>privacy report -o</c>, <c>incident collect -o</c>
/// and its signature) are created 0600 whatever the umask, as the ledger's backups are: an export names every caller
/// and department of its window. An existing target is written in place and keeps its mode, as a shell redirection
/// does (the operator chose it; it may be a pipe or a device such as <c>/dev/stdout</c>, which must not be re-moded).
/// </summary>
internal static class PrivateOutputFile
{
    /// <summary>Opens <paramref name="path"/> for writing (<paramref name="mode"/>: <see cref="FileMode.Create"/> truncates one that exists).</summary>
    public static FileStream Create(string path, FileMode mode = FileMode.Create)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Applied only when the file is created, and only narrowed by the umask.
            options.UnixCreateMode = FileModes.PrivateFile;
        }

        return new FileStream(path, options);
    }

    /// <summary>Refuses an <c>--output</c> that names a directory before any work is done (opening it would say "access denied").</summary>
    public static void RefuseDirectory(string? path)
    {
        if (path is not null && Directory.Exists(path))
        {
            throw new ConfigurationException("--output", $"'{path}' is a directory; name a file to write");
        }
    }

    /// <summary>Writes <paramref name="text"/> to a new private file; an existing one is an error.</summary>
    public static async Task WriteNewAsync(string path, string text, CancellationToken ct)
    {
        await using var stream = Create(path, FileMode.CreateNew);
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct).ConfigureAwait(false);
    }
}
