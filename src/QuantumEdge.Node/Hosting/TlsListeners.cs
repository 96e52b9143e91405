using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// HTTPS for the node's listeners from <c>server.tls</c>, <c>server.metrics_tls</c> and
/// <c>server.metrics_client_ca_file</c>: https URLs in <c>server.urls</c>/<c>metrics_url</c> get the
/// configured certificate (reloaded when its files change), and the metrics listener optionally
/// demands a client certificate from the configured authorities.
/// </summary>
internal sealed class TlsListeners
{
    private TlsListeners(ReloadingCertificate? api, ReloadingCertificate? metrics, X509Certificate2Collection? metricsClientAuthorities)
    {
        Api = api;
        Metrics = metrics;
        MetricsClientAuthorities = metricsClientAuthorities;
    }

    public ReloadingCertificate? Api { get; }
    public ReloadingCertificate? Metrics { get; }
    public X509Certificate2Collection? MetricsClientAuthorities { get; }

    /// <summary>Loads what the configuration names; errors are configuration errors, raised before anything listens.</summary>
    public static TlsListeners Create(ServerSettings server)
    {
        var api = ServerSettings.IsHttps(server.Urls) && server.Tls is { } tls ? new ReloadingCertificate(tls) : null;
        ReloadingCertificate? metrics = null;
        if (server.EffectiveMetricsTls is { } metricsTls)
        {
            // One pair of files, one holder: both listeners switch together.
            metrics = api is not null && metricsTls == api.Settings ? api : new ReloadingCertificate(metricsTls);
        }

        var authorities = server.MetricsClientCaFile is { } ca ? ServerCertificate.LoadAuthorities(ca, "server.metrics_client_ca_file") : null;
        return new TlsListeners(api, metrics, authorities);
    }

    public ILogger Logger
    {
        set
        {
            Api?.Logger = value;
            Metrics?.Logger = value;
        }
    }

    /// <summary>Serves https URLs of <paramref name="host"/> with <paramref name="certificate"/>, optionally requiring a client certificate.</summary>
    public static void Use(ConfigureWebHostBuilder host, ReloadingCertificate? certificate, X509Certificate2Collection? clientAuthorities = null)
    {
        if (certificate is null)
        {
            return;
        }

        // The slim builder leaves out https URL support; this adds it without appsettings-based endpoints.
        host.UseKestrelHttpsConfiguration();
        host.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https =>
        {
            // Kestrel insists on a certificate source at start-up; the handshake then uses the context below.
            https.ServerCertificateSelector = (_, _) => certificate.Current.Certificate;
            https.OnAuthenticate = (_, ssl) =>
            {
                // The context carries the chain from the certificate file; the selector would send the leaf alone.
                ssl.ServerCertificateSelectionCallback = null;
                ssl.ServerCertificate = null;
                ssl.ServerCertificateContext = certificate.Current.Context;
            };
            if (clientAuthorities is not null)
            {
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (client, _, _) => ServerCertificate.IsTrustedClient(client, clientAuthorities);
            }
        }));
    }
}
