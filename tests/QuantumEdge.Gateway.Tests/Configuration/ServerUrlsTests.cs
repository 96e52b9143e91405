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
