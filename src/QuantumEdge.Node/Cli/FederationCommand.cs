using System.CommandLine;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Node.Cli;

/// <summary><c>quantumedge federation pubkey</c>: the node's public key in the form peers paste into <c>federation.peers[].public_key</c>.</summary>
internal static class FederationCommand
{
    public static Command Create()
    {
        var pubkey = new Command("pubkey", "Print this node's Ed25519 public key as peers paste it into federation.peers[].public_key (ed25519:<base64>).");
        pubkey.SetAction(parse =>
        {
            var config = ConfigSource.Load(parse);
            var dir = KeyDirectory(config);
            var path = Path.Combine(dir, NodeIdentity.PublicKeyFileName);
            if (!File.Exists(path))
            {
                throw new ConfigurationException(config.Storage.NodeKeyDir is null ? "storage.ledger_dir" : "storage.node_key_dir",
                    $"'{path}' does not exist: create the node key with 'quantumedge keygen --output-dir DIR' and set storage.node_key_dir");
            }

            using var identity = NodeIdentity.LoadPublic(path);
            Console.Out.WriteLine(FederationPublicKey.Format(identity.PublicKeyBytes));
            Console.Error.WriteLine($"node {config.Node.Id}, fingerprint {identity.Fingerprint}: send this line to each peer over a channel that authenticates you");
            return ExitCodes.Ok;
        });
        return new Command("federation", "Federation with peer hospitals.") { pubkey };
    }

    /// <summary>Where the node's key pair lives: <c>storage.node_key_dir</c>, or the key the ledger generated under its directory.</summary>
    internal static string KeyDirectory(NodeConfiguration config) =>
        config.Storage.NodeKeyDir is { } dir
            ? Path.GetFullPath(dir)
            : NodeIdentity.GeneratedKeyDirectory(Path.GetFullPath(config.Storage.ResolveLedgerDir(config.Node)));
}
