using QuantumEdge.Federation.Identity;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary>The <c>federation</c> block is read as strictly as the rest: every bad value is refused naming its key.</summary>
public sealed class FederationConfigurationTests
{
    private static readonly string PeerKey = NewKey();

    private static string NewKey()
    {
        using var signer = Ed25519Signer.Generate();
        return FederationPublicKey.Format(signer.PublicKey.Span);
    }

    private static string Yaml(string federation) => $$"""
        node:
          id: hospital-a
        backends:
          - id: gpu-a
            url: http://10.0.0.5:8000/v1
            models: [clinical-7b, "org/model:q4"]
        federation:
        {{federation}}
        """;

    private static string Block(string extra = "", string peerKey = "") => $$"""
          enabled: true
          federation_id: regional-health-net
          listen_url: "http://127.0.0.1:7443"
          peers:
            - id: hospital-b
              url: "http://127.0.0.1:7444"
              public_key: "{{(peerKey.Length == 0 ? PeerKey : peerKey)}}"
          release_interval_seconds: 30
          epsilon_per_release: 0.5
          max_epsilon_per_day: 10
          lending: { offer: true, borrow: true, max_concurrency_per_peer: 8 }
        {{extra}}
        """;

    private static NodeConfiguration Parse(string yaml) => ConfigurationLoader.Parse(yaml, "federation.yaml", TestEnvironment.Empty);

    [Fact]
    public void A_node_without_the_block_has_federation_disabled()
    {
        var c = Parse("node:\n  id: hospital-a\n");

        Assert.False(c.Federation.Enabled);
        Assert.Empty(c.Federation.Peers);
    }

    [Fact]
    public void The_block_as_the_issue_shows_it_is_read_with_the_backends_models_as_vocabulary()
    {
        var f = Parse(Yaml(Block())).Federation;

        Assert.True(f.Enabled);
        Assert.Equal("regional-health-net", f.FederationId);
        var peer = Assert.Single(f.Peers);
        Assert.Equal("hospital-b", peer.Id);
        Assert.Equal(new Uri("http://127.0.0.1:7444"), peer.Url);
        Assert.Equal(PeerKey, peer.PublicKey);
        Assert.Equal(32, peer.PublicKeyBytes.Length);
        Assert.Equal(["clinical-7b", "org/model:q4"], f.Models);
        Assert.Equal(["chat", "completions", "embeddings"], f.Categories);
        Assert.True(f.Lending.Offer);
        Assert.True(f.Lending.Borrow);
        Assert.Equal(8, f.Lending.MaxConcurrencyPerPeer);
    }

    [Theory]
    [InlineData("  surprise: 1", "federation.surprise")]
    [InlineData("  release_interval_seconds_x: 1", "federation.release_interval_seconds_x")]
    [InlineData("  categories: [chat, chat]", "federation.categories[1]")]
    [InlineData("  categories: [\"free text\"]", "federation.categories[0]")]
    [InlineData("  models: [a]\n  max_epsilon_per_day: 0.1", "federation.max_epsilon_per_day")]
    public void Bad_keys_and_values_are_refused_naming_the_key(string extra, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse(Yaml(Block().Replace("  max_epsilon_per_day: 10\n", "", StringComparison.Ordinal) + extra)));

        Assert.Equal(key, e.Key);
    }

    [Theory]
    [InlineData("ed25519:AAAA", "federation.peers[0].public_key")]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", "federation.peers[0].public_key")]
    public void A_public_key_that_does_not_parse_is_refused(string key, string path)
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse(Yaml(Block(peerKey: key))));

        Assert.Equal(path, e.Key);
        Assert.Contains("ed25519", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_peer_with_this_nodes_own_id_is_refused()
    {
        var yaml = Yaml(Block()).Replace("id: hospital-b", "id: hospital-a", StringComparison.Ordinal);

        var e = Assert.Throws<ConfigurationException>(() => Parse(yaml));

        Assert.Equal("federation.peers[0].id", e.Key);
    }

    [Fact]
    public void An_https_listener_needs_server_tls()
    {
        var yaml = Yaml(Block()).Replace("listen_url: \"http://", "listen_url: \"https://", StringComparison.Ordinal);

        var e = Assert.Throws<ConfigurationException>(() => Parse(yaml));

        Assert.Equal("federation.listen_url", e.Key);
        Assert.Contains("server.tls", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Enabled_federation_without_peers_is_refused()
    {
        var yaml = Yaml("  enabled: true\n  federation_id: net-1\n");

        var e = Assert.Throws<ConfigurationException>(() => Parse(yaml));

        Assert.Equal("federation.peers", e.Key);
    }

    [Fact]
    public void The_printed_block_parses_back_to_the_same_configuration()
    {
        var c = Parse(Yaml(Block()));
        var printed = ConfigurationPrinter.Print(c);

        Assert.Contains("public_key: " + PeerKey, printed.Replace("\"", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(printed, ConfigurationPrinter.Print(Parse(printed)));
    }
}
