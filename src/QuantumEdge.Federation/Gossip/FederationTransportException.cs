namespace QuantumEdge.Federation.Gossip;

/// <summary>A peer could not be reached, timed out, or answered something that is not the federation protocol.</summary>
internal sealed class FederationTransportException : Exception
{
    public FederationTransportException(string message)
        : base(message)
    {
    }

    public FederationTransportException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
