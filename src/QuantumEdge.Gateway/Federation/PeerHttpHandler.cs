using QuantumEdge.Federation.Http;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Federation;

/// <summary>
/// The socket handler for every connection this node opens to a peer (gossip and borrowed
/// capacity alike), so both trust exactly the same certificates: the system store, plus the CAs
/// in <c>federation.peer_ca_file</c> when it is set.
/// </summary>
public static class PeerHttpHandler
{
    /// <summary>A new handler for connections to peers.</summary>
    public static SocketsHttpHandler Create(FederationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            AllowAutoRedirect = false,
            UseProxy = false,
        };
        if (settings.PeerCaFile is { } caFile)
        {
            var trust = PeerCertificateTrust.FromPem(System.Text.Encoding.UTF8.GetString(
                RegularFile.Read(caFile, 1024 * 1024, "federation.peer_ca_file")));
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => trust.Validate(certificate, chain, errors);
        }

        return handler;
    }
}
