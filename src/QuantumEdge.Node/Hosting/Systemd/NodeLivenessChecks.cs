using System.Net;
using QuantumEdge.Ledger;

namespace QuantumEdge.Node.Hosting.Systemd;

/// <summary>What the watchdog asks of a running node: that the ledger's writer and the API's request loop both answer.</summary>
internal static class NodeLivenessChecks
{
    /// <summary>
    /// Reads the audit head through the ledger's single writer, so the answer proves the writer
    /// thread is alive and not stuck behind a hung commit. It writes nothing.
    /// </summary>
    public static LivenessCheck LedgerWriter(IPrivacyLedger ledger) =>
        new("ledger writer", async ct => await ledger.AuditHeadAsync(ct).ConfigureAwait(false));

    /// <summary>
    /// <c>GET /health/live</c> over the API's own listener: accepting, TLS, routing and the thread pool
    /// all have to work for it to answer.
    /// </summary>
    public static LivenessCheck Api(HttpClient client, string apiAddress)
    {
        var uri = new Uri(apiAddress + "/health/live");
        return new("API", async ct =>
        {
            using var response = await client.GetAsync(uri, ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET /health/live answered {(int)response.StatusCode}");
            }
        });
    }

    /// <summary>
    /// The client for <see cref="Api"/>: no proxy, and over https it trusts exactly the certificate
    /// the node itself serves (the probe asks its own listener, whatever authority signed it).
    /// </summary>
    public static HttpClient LoopbackClient(ReloadingCertificate? served, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (served is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHash().AsSpan().SequenceEqual(served.Current.Certificate.GetCertHash());
        }

        return new HttpClient(handler) { Timeout = timeout };
    }
}
