using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// The <c>federation</c> block: this node's membership of a federation of hospitals (trust list of
/// peers, its own listener, the DP release schedule and budget, the lending offer). Disabled unless
/// <c>enabled: true</c>; a node without the block behaves as if federation did not exist.
/// </summary>
public sealed record FederationSettings
{
    /// <summary>The task categories released by default: the inference routes.</summary>
    public static readonly IReadOnlyList<string> DefaultCategories = ["chat", "completions", "embeddings"];

    public bool Enabled { get; init; }
    public string FederationId { get; init; } = "";
    /// <summary>The federation listener (separate from the API and metrics listeners).</summary>
    public string ListenUrl { get; init; } = "http://127.0.0.1:7443";
    public IReadOnlyList<FederationPeerSettings> Peers { get; init; } = [];
    public int ReleaseIntervalSeconds { get; init; } = 30;
    /// <summary>Mean seconds between anti-entropy rounds (each ±20 %), 1–3600.</summary>
    public int GossipIntervalSeconds { get; init; } = 5;
    /// <summary>A PEM bundle of CAs that https peers' certificates may chain to besides the system store; null for the system store only.</summary>
    public string? PeerCaFile { get; init; }
    public double EpsilonPerRelease { get; init; } = 0.5;
    public double MaxEpsilonPerDay { get; init; } = 10;
    /// <summary>The models released (a fixed vocabulary, so which cells exist reveals nothing); default: every backend's models.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];
    /// <summary>The task categories released; default <see cref="DefaultCategories"/>.</summary>
    public IReadOnlyList<string> Categories { get; init; } = DefaultCategories;
    public LendingSettings Lending { get; init; } = new();

    /// <param name="s">The <c>federation</c> section.</param>
    /// <param name="nodeId"><c>node.id</c>, which must also be a valid federation node id when enabled.</param>
    /// <param name="backends">Their models are the default model vocabulary.</param>
    /// <param name="server">An https <c>listen_url</c> is served with <c>server.tls</c>.</param>
    internal static FederationSettings Read(YamlSection s, string nodeId, IReadOnlyList<BackendSettings> backends, ServerSettings server)
    {
        var d = new FederationSettings();
        var enabled = s.Bool("enabled", d.Enabled);
        var federationId = s.String("federation_id", d.FederationId);
        var listenUrl = s.String("listen_url", d.ListenUrl);
        var peerSections = s.SectionList("peers");
        var interval = s.Int("release_interval_seconds", d.ReleaseIntervalSeconds, 5, 86_400);
        var gossipInterval = s.Int("gossip_interval_seconds", d.GossipIntervalSeconds, 1, 3600);
        var peerCaFile = s.OptionalString("peer_ca_file");
        var perRelease = s.Double("epsilon_per_release", d.EpsilonPerRelease, 1e-6, 10);
        var perDay = s.Double("max_epsilon_per_day", d.MaxEpsilonPerDay, 1e-6, 1000);
        var models = s.StringList("models", backends.SelectMany(b => b.Models).Distinct(StringComparer.Ordinal).ToList());
        var categories = s.StringList("categories", d.Categories);
        var lending = LendingSettings.Read(s.Section("lending"));
        var peers = peerSections.Select(ReadPeer).ToList();
        s.RejectUnknownKeys();

        if (!s.Exists)
        {
            return d with { Models = models };
        }

        if (enabled && !NodeId.IsValid(federationId))
        {
            throw new ConfigurationException(s.KeyPath("federation_id"), $"'{federationId}' must be 1-64 characters of a-z, 0-9, '.', '_', '-' starting with a letter or digit");
        }

        if (enabled && !NodeId.IsValid(nodeId))
        {
            throw new ConfigurationException("node.id", $"'{nodeId}' is this node's federation id too: it must be 1-64 characters of a-z, 0-9, '.', '_', '-' starting with a letter or digit");
        }

        if (!Uri.TryCreate(listenUrl, UriKind.Absolute, out var listen) || (listen.Scheme != Uri.UriSchemeHttp && listen.Scheme != Uri.UriSchemeHttps)
            || listen.AbsolutePath != "/")
        {
            throw new ConfigurationException(s.KeyPath("listen_url"), $"'{listenUrl}' must be one http(s) URL without a path, e.g. https://0.0.0.0:7443");
        }

        if (enabled && listen.Scheme == Uri.UriSchemeHttps && server.Tls is null)
        {
            throw new ConfigurationException(s.KeyPath("listen_url"), "is https: it is served with server.tls, which is not set");
        }

        if (perDay < perRelease)
        {
            throw new ConfigurationException(s.KeyPath("max_epsilon_per_day"), $"{perDay} is less than epsilon_per_release ({perRelease}): no release could ever be made");
        }

        CheckLabels(s, "models", models);
        CheckLabels(s, "categories", categories);
        try
        {
            // The library's own check covers what is left: the cell count of a release.
            new DpReleaseOptions { EpsilonPerRelease = perRelease, MaxEpsilonPerDay = perDay, Models = models, Categories = categories }.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(s.KeyPath("models"), e.Message);
        }

        if (peerCaFile is not null)
        {
            CheckCaBundle(s.KeyPath("peer_ca_file"), peerCaFile);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal) { nodeId };
        for (var i = 0; i < peers.Count; i++)
        {
            if (!ids.Add(peers[i].Id))
            {
                throw new ConfigurationException($"{s.KeyPath("peers")}[{i}].id", $"'{peers[i].Id}' is listed twice or is this node's own id");
            }
        }

        if (enabled && peers.Count == 0)
        {
            throw new ConfigurationException(s.KeyPath("peers"), "must list at least one peer when federation is enabled");
        }

        return new FederationSettings
        {
            Enabled = enabled,
            FederationId = federationId,
            ListenUrl = listenUrl,
            Peers = peers,
            ReleaseIntervalSeconds = interval,
            GossipIntervalSeconds = gossipInterval,
            PeerCaFile = peerCaFile,
            EpsilonPerRelease = perRelease,
            MaxEpsilonPerDay = perDay,
            Models = models,
            Categories = categories,
            Lending = lending,
        };
    }

    private static FederationPeerSettings ReadPeer(YamlSection p)
    {
        var id = p.OptionalString("id");
        var urlText = p.OptionalString("url");
        var key = p.OptionalString("public_key");
        p.RejectUnknownKeys();
        if (!NodeId.IsValid(id))
        {
            throw new ConfigurationException(p.KeyPath("id"), $"'{id}' must be 1-64 characters of a-z, 0-9, '.', '_', '-' starting with a letter or digit");
        }

        Uri? url = null;
        if (urlText is not null && (!Uri.TryCreate(urlText, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ConfigurationException(p.KeyPath("url"), $"'{urlText}' is not an http(s) URL");
        }

        if (key is null)
        {
            throw new ConfigurationException(p.KeyPath("public_key"), "is required (what 'quantumedge federation pubkey' prints on that node)");
        }

        if (!FederationPublicKey.TryParse(key, out var raw, out var problem))
        {
            throw new ConfigurationException(p.KeyPath("public_key"), problem);
        }

        return new FederationPeerSettings { Id = id!, Url = url, PublicKey = FederationPublicKey.Format(raw), PublicKeyBytes = raw };
    }

    /// <summary>The bundle must be readable now and hold at least one PEM certificate, so a typo fails at start, not at the first https peer.</summary>
    private static void CheckCaBundle(string key, string path)
    {
        var pem = System.Text.Encoding.UTF8.GetString(RegularFile.Read(path, 1024 * 1024, key));
        var certificates = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ConfigurationException(key, $"'{path}' is not a PEM certificate bundle: {e.Message}");
        }

        if (certificates.Count == 0)
        {
            throw new ConfigurationException(key, $"'{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
    }

    private static void CheckLabels(YamlSection s, string key, IReadOnlyList<string> labels)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Count; i++)
        {
            if (!Label.IsValid(labels[i]))
            {
                throw new ConfigurationException($"{s.KeyPath(key)}[{i}]", $"'{labels[i]}' must be 1-128 characters of letters, digits and . _ - : / @ +");
            }

            if (!seen.Add(labels[i]))
            {
                throw new ConfigurationException($"{s.KeyPath(key)}[{i}]", $"'{labels[i]}' is listed twice");
            }
        }
    }
}
