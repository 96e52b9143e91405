using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// Files the CLI writes with audit records in them (<c>audit export -o</c>, <c>privacy report -o</c>, <c>incident collect -o</c>
/// and its signature) are 0600 whatever the umask, as the ledger's backups are: an export names every caller
/// and department of its window. The operator shares one by copying it or changing its mode.
/// </summary>
internal static class PrivateOutputFile
{
    /// <summary>Creates <paramref name="path"/> (<paramref name="mode"/>: <see cref="FileMode.Create"/> truncates one that exists, and narrows its mode).</summary>
    public static FileStream Create(string path, FileMode mode = FileMode.Create)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileModes.PrivateFile;
        }

        var stream = new FileStream(path, options);
        // An existing file keeps its mode through a truncating open.
        FileModes.Set(path, FileModes.PrivateFile);
        return stream;
    }

    /// <summary>Writes <paramref name="text"/> to a new private file; an existing one is an error.</summary>
    public static async Task WriteNewAsync(string path, string text, CancellationToken ct)
    {
        await using var stream = Create(path, FileMode.CreateNew);
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct).ConfigureAwait(false);
    }
}
