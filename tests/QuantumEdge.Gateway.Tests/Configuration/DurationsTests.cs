using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary>Operator durations (<c>90s</c>, <c>8h</c>, <c>2d</c>): a bad or absurd one is an error naming the setting, never a crash.</summary>
public sealed class DurationsTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("8h", 28_800)]
    [InlineData("1.5d", 129_600)]
    [InlineData("36500d", 3_153_600_000)]
    public void A_duration_within_the_longest_is_read(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Durations.Parse("some.key", text));
    }

    [Theory]
    [InlineData("36501d")]
    [InlineData("99999999h")]
    [InlineData("1e20d")]
    [InlineData("1e300s")]
    public void A_duration_beyond_a_hundred_years_is_an_error_naming_the_setting(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => Durations.Parse("some.key", text));

        Assert.Contains("some.key", error.Message, StringComparison.Ordinal);
        Assert.Contains("longer than", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("forever")]
    [InlineData("1e400d")]
    [InlineData("5w")]
    public void Something_that_is_not_a_positive_duration_is_an_error_naming_the_setting(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => Durations.Parse("some.key", text));

        Assert.Contains("some.key", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a duration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_token_lifetime_above_the_longest_a_token_may_live_is_refused()
    {
        Assert.Equal(TimeSpan.FromDays(366), ConfigurationLoader.Parse("auth:\n  default_token_ttl: 366d\n", "test.yaml", TestEnvironment.Empty).Auth.DefaultTokenTtl);

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("auth:\n  default_token_ttl: 367d\n", "test.yaml", TestEnvironment.Empty));

        Assert.Contains("auth.default_token_ttl", error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromDays(366), JwtAuthenticator.LongestLifetime);
    }
}
