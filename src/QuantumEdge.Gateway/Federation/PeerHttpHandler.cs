using QuantumEdge.Federation.Http;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Federation;

/// <summary>
/// The socket handlers for every connection this node opens to a peer (gossip and borrowed
/// capacity alike), so both trust exactly the same certificates: the system store, plus the CAs
/// in <c>federation.peer_ca_file</c> when it is set.
/// </summary>
public static class PeerHttpHandler
{
    /// <summary>Reads the CA bundle once and returns a maker of handlers for connections to peers.</summary>
    public static Func<SocketsHttpHandler> Factory(FederationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var trust = settings.PeerCaFile is { } caFile
            ? PeerCertificateTrust.FromPem(System.Text.Encoding.UTF8.GetString(RegularFile.Read(caFile, 1024 * 1024, "federation.peer_ca_file")))
            : null;
        return () =>
        {
            var handler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                AllowAutoRedirect = false,
                // A peer hospital gets no trace context of this node's callers.
                ActivityHeadersPropagator = null,
            };
            if (trust is not null)
            {
                handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => trust.Validate(certificate, chain, errors);
            }

            return handler;
        };
    }
}
