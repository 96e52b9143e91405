namespace QuantumEdge.Ledger.Storage;

/// <summary>Crash-safe replacement of a small file for the node's other state files (the planner's quantum state).</summary>
public static class DurableFile
{
    /// <summary>
    /// Writes <paramref name="content"/> to a temporary file beside <paramref name="path"/> (mode 0600), fsyncs it,
    /// renames it over <paramref name="path"/> and fsyncs the directory: a reader sees the old file or the new one, never half of one.
    /// </summary>
    public static void Replace(string path, ReadOnlySpan<byte> content) => DurableFiles.WriteAtomically(path, content);
}
