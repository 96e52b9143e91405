using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;

namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary><c>storage.audit_commit_linger_ms</c>: how long the ledger holds outcome records for company before committing them.</summary>
public sealed class AuditCommitLingerConfigurationTests
{
    private static NodeConfiguration Parse(string yaml) => ConfigurationLoader.Parse(yaml, "test.yaml", TestEnvironment.Empty);

    [Fact]
    public void The_default_is_the_ledgers_default_linger()
    {
        var c = Parse("node:\n  id: a\n");

        Assert.Equal(LedgerOptions.DefaultDeferredCommitLinger, LedgerFactory.Options(c).DeferredCommitLinger);
    }

    [Fact]
    public void The_setting_reaches_the_ledger_and_zero_turns_the_linger_off()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(7), LedgerFactory.Options(Parse("storage:\n  audit_commit_linger_ms: 7\n")).DeferredCommitLinger);
        Assert.Equal(TimeSpan.Zero, LedgerFactory.Options(Parse("storage:\n  audit_commit_linger_ms: 0\n")).DeferredCommitLinger);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1001")]
    [InlineData("2ms")]
    public void A_bad_value_is_an_error_naming_the_key(string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse($"storage:\n  audit_commit_linger_ms: {value}\n"));

        Assert.Contains("storage.audit_commit_linger_ms", error.Message, StringComparison.Ordinal);
    }
}
