namespace QuantumEdge.Federation.State;

/// <summary>A federation state file is unreadable or inconsistent. The message names the file and the problem; the node refuses to start federation rather than guess.</summary>
internal sealed class FederationStateException : Exception
{
    public FederationStateException(string path, string problem, Exception? inner = null)
        : base($"federation state file '{path}' is corrupt: {problem} (restore it from backup, or move it away to start that state afresh)", inner)
    {
        Path = path;
    }

    public string Path { get; }
}
