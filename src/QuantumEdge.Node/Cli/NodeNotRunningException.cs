namespace QuantumEdge.Node.Cli;

/// <summary>A verb that needs the running node found no one listening on the admin socket (exit 1, the message says where it looked).</summary>
internal sealed class NodeNotRunningException : Exception
{
    public NodeNotRunningException() : this("no node is running") { }

    public NodeNotRunningException(string message) : base(message) { }

    public NodeNotRunningException(string message, Exception innerException) : base(message, innerException) { }
}
