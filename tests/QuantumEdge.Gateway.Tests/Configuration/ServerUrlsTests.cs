using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary><c>server.urls</c> as a YAML list or as one <c>;</c>-separated string: the same listeners either way.</summary>
public sealed class ServerUrlsTests
{
    private static NodeConfiguration Parse(string yaml) => ConfigurationLoader.Parse(yaml, "urls.yaml", TestEnvironment.Empty);

    private static ConfigurationException Refused(string yaml) => Assert.Throws<ConfigurationException>(() => Parse(yaml));

    [Theory]
    [InlineData("server:\n  urls: [\"http://127.0.0.1:8080\", \"http://[::1]:8081\"]\n")]
    [InlineData("server:\n  urls:\n    - http://127.0.0.1:8080\n    - http://[::1]:8081\n")]
    [InlineData("server:\n  urls: http://127.0.0.1:8080;http://[::1]:8081\n")]
    [InlineData("server:\n  urls: \" http://127.0.0.1:8080 ; http://[::1]:8081; \"\n")]
    public void A_list_and_a_separated_string_name_the_same_listeners(string yaml)
    {
        Assert.Equal("http://127.0.0.1:8080;http://[::1]:8081", Parse(yaml).Server.Urls);
    }

    [Fact]
    public void A_one_item_list_is_one_listener()
    {
        Assert.Equal("http://127.0.0.1:9000", Parse("server:\n  urls: [http://127.0.0.1:9000]\n").Server.Urls);
    }

    [Theory]
    [InlineData("server:\n  urls: []\n", "server.urls")]
    [InlineData("server:\n  urls: \";\"\n", "server.urls")]
    [InlineData("server:\n  urls: [\"http://127.0.0.1:1;http://127.0.0.1:2\"]\n", "server.urls[0]")]
    [InlineData("server:\n  urls: [http://127.0.0.1:1, \"\"]\n", "server.urls[1]")]
    [InlineData("server:\n  urls: [http://127.0.0.1:1, [http://127.0.0.1:2]]\n", "server.urls[1]")]
    [InlineData("server:\n  urls: [http://127.0.0.1:1, ftp://127.0.0.1:2]\n", "server.urls")]
    public void A_list_that_names_no_usable_url_is_refused_naming_the_key(string yaml, string key)
    {
        Assert.Equal(key, Refused(yaml).Key);
    }

    [Theory]
    [InlineData("server:\n  urls: \"http://127.0.0.1:20080;http://127.0.0.1:20080\"\n", "server.urls", "another server URL")]
    [InlineData("server:\n  urls: http://127.0.0.1:20080\n  metrics_url: http://127.0.0.1:20080\n", "server.metrics_url", "another server URL")]
    [InlineData("server:\n  urls: http://127.0.0.1:20080/path\n", "server.urls", "path, query or fragment")]
    [InlineData("server:\n  metrics_url: http://127.0.0.1:20090/?x=1\n", "server.metrics_url", "path, query or fragment")]
    [InlineData("server:\n  urls: http://ops:S3cretPw@127.0.0.1:20080\n", "server.urls", "user name or password")]
    public void Listen_urls_that_serve_could_not_bind_are_refused_by_the_configuration_naming_the_key(string yaml, string key, string problem)
    {
        // Each passed check-config and then stopped serve with a raw bind or path-base exception.
        var e = Refused(yaml);
        Assert.Equal(key, e.Key);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cretPw", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Listeners_on_port_zero_may_repeat_since_each_gets_its_own_free_port()
    {
        var c = Parse("server:\n  urls: http://127.0.0.1:0\n  metrics_url: http://127.0.0.1:0\n");
        Assert.Equal("http://127.0.0.1:0", c.Server.MetricsUrl);
    }

    [Fact]
    public void A_list_prints_as_a_list_that_parses_back_to_the_same_configuration()
    {
        var c = Parse("server:\n  urls: [\"http://0.0.0.0:8080\", \"http://[::1]:8081\"]\n");

        var printed = ConfigurationPrinter.Print(c);
        var again = Parse(printed);

        Assert.Contains("urls: [\"http://0.0.0.0:8080\", \"http://[::1]:8081\"]", printed, StringComparison.Ordinal);
        Assert.Equal(c.Server, again.Server);
        Assert.Equal(printed, ConfigurationPrinter.Print(again));
    }
}
