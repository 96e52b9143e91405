namespace QuantumEdge.Federation.Identity;

/// <summary>A peer in the trust list: its id, its raw Ed25519 public key and, when reachable directly, its listener URL.</summary>
public sealed record TrustedPeer(string Id, byte[] PublicKey, Uri? Url);
