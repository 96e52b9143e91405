namespace QuantumEdge.Node.Cli;

/// <summary><c>plan solve --device gpu</c> found no planner process answering at its socket (exit 1; the message names the socket).</summary>
internal sealed class PlannerUnreachableException : Exception
{
    public PlannerUnreachableException() : this("no GPU planner process answers") { }

    public PlannerUnreachableException(string message) : base(message) { }

    public PlannerUnreachableException(string message, Exception innerException) : base(message, innerException) { }
}
