using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Robust;
using QuantumEdge.Federation.Verification;

namespace QuantumEdge.Federation;

/// <summary>Everything a node configures about its federation membership (the node maps its <c>federation:</c> block onto this).</summary>
public sealed record FederationMemberOptions
{
    /// <summary>This node's id (<c>node.id</c>).</summary>
    public required string NodeId { get; init; }

    /// <summary><c>federation.federation_id</c>.</summary>
    public required string FederationId { get; init; }

    /// <summary>Where the federation state files live (a folder of the node's data directory).</summary>
    public required string DataDirectory { get; init; }

    /// <summary><c>federation.peers</c>.</summary>
    public IReadOnlyList<TrustedPeer> Peers { get; init; } = [];

    public IntakeOptions Intake { get; init; } = new();

    public DpReleaseOptions Privacy { get; init; } = new();

    public RobustAggregationOptions Aggregation { get; init; } = new();

    /// <summary>Envelopes kept per origin for relay.</summary>
    public int EnvelopesPerOrigin { get; init; } = 64;

    /// <summary>Audit heads remembered per origin.</summary>
    public int HeadsPerOrigin { get; init; } = 512;
}
