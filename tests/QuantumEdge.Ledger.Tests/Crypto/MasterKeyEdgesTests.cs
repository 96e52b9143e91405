using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Ledger.Tests.Crypto;

/// <summary>Whitespace at MASTER_KEY's ends is named (what and where), never the key itself.</summary>
public sealed class MasterKeyEdgesTests
{
    private const string Key = "GLg78kYs/D/lBHLn4KXKuD5OYvRfholm+SUcAY15+VU=";

    [Theory]
    [InlineData(Key + "\n", @"ends with a line break (\n)")]
    [InlineData(Key + "\r\n", @"ends with a line break (\n)")]
    [InlineData(Key + "\r", @"ends with a carriage return (\r)")]
    [InlineData(" " + Key, "begins with a space")]
    [InlineData("\t" + Key + "\r", @"begins with a tab (\t) and ends with a carriage return (\r)")]
    [InlineData(" " + Key + " ", "begins and ends with a space")]
    [InlineData("\u00A0" + Key, "begins with whitespace (U+00A0)")]
    [InlineData("\n", @"begins and ends with a line break (\n)")]
    public void Whitespace_at_either_end_is_named(string key, string expected)
    {
        var described = MasterKeyEdges.Describe(key);
        Assert.Equal(expected, described);
        Assert.DoesNotContain("GLg78", described, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Key)]
    [InlineData("key with inner spaces")]
    [InlineData("")]
    [InlineData(null)]
    public void A_key_without_whitespace_at_its_ends_has_nothing_to_name(string? key)
    {
        Assert.Null(MasterKeyEdges.Describe(key));
        Assert.Null(MasterKeyEdges.CreationRefusal(key, "the ledger"));
        Assert.Equal("", MasterKeyEdges.MismatchHint(key));
    }
}
