using System.Text;
using QuantumEdge.Federation.Canonical;

namespace QuantumEdge.Federation.Tests.Canonical;

public sealed class CanonicalJsonTests
{
    private static string Canonicalize(string json)
    {
        Assert.True(CanonicalJson.TryParse(Encoding.UTF8.GetBytes(json), CanonicalJsonLimits.Default, out var node, out var error, out var detail),
            $"{error}: {detail}");
        return Encoding.UTF8.GetString(CanonicalJson.Serialize(node));
    }

    private static CanonicalJsonError Refuse(string json, CanonicalJsonLimits? limits = null) => Refuse(Encoding.UTF8.GetBytes(json), limits);

    private static CanonicalJsonError Refuse(byte[] json, CanonicalJsonLimits? limits = null)
    {
        Assert.False(CanonicalJson.TryParse(json, limits ?? CanonicalJsonLimits.Default, out _, out var error, out var detail));
        Assert.False(string.IsNullOrEmpty(detail));
        return error;
    }

    [Fact]
    public void Whitespace_is_dropped_and_keys_are_sorted_at_every_level()
    {
        Assert.Equal("{\"a\":[true,null,\"x\",{\"c\":1,\"d\":2}],\"b\":1}",
            Canonicalize(" {\n \"b\" : 1,\t\"a\":[ true , null,\"x\", {\"d\":2,\"c\":1} ] } "));
    }

    [Fact]
    public void Keys_sort_by_utf16_code_units_as_rfc8785_requires()
    {
        // RFC 8785 §3.2.3's example plus U+FB33, which sorts after the surrogate pair in UTF-16 order.
        var json = "{\"\\ufb33\":6,\"\\u20ac\":4,\"\\r\":1,\"\\ud83d\\ude00\":5,\"1\":2,\"\\u00f6\":3}";
        Assert.Equal("{\"\\r\":1,\"1\":2,\"ö\":3,\"€\":4,\"😀\":5,\"דּ\":6}", Canonicalize(json));
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("1.0", "1")]
    [InlineData("4.50", "4.5")]
    [InlineData("2e-3", "0.002")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("-1.5e-10", "-1.5e-10")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1E30", "1e+30")]
    [InlineData("0.000000000000000000000000001", "1e-27")]
    [InlineData("333333333.33333329", "333333333.3333333")]
    [InlineData("9007199254740992", "9007199254740992")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157e+308")]
    [InlineData("123456789012.5", "123456789012.5")]
    public void Numbers_use_the_ecmascript_shortest_form(string input, string expected)
    {
        Assert.Equal($"[{expected}]", Canonicalize($"[{input}]"));
    }

    [Fact]
    public void Strings_escape_only_quote_backslash_and_controls()
    {
        Assert.Equal("[\"\\u0001\\n\\t\\b\\f\\r\\\"\\\\/é€😀\\u001f\"]",
            Canonicalize("[\"\\u0001\\n\\t\\b\\f\\r\\\"\\\\\\/\\u00e9€😀\\u001F\"]"));
    }

    [Fact]
    public void Different_formattings_of_one_value_give_identical_bytes()
    {
        Assert.Equal(Canonicalize("{\"x\":1e2,\"y\":\"\\u0041\"}"), Canonicalize("{ \"y\" : \"A\", \"x\" : 100.000 }"));
    }

    [Fact]
    public void Duplicate_keys_are_refused()
    {
        Assert.Equal(CanonicalJsonError.DuplicateKey, Refuse("{\"a\":1,\"b\":2,\"a\":1}"));
        Assert.Equal(CanonicalJsonError.DuplicateKey, Refuse("{\"x\":{\"a\":1,\"a\":2}}"));
        // The same key after unescaping is the same key.
        Assert.Equal(CanonicalJsonError.DuplicateKey, Refuse("{\"a\":1,\"\\u0061\":2}"));
    }

    [Fact]
    public void Deep_nesting_is_refused_before_the_stack_is_at_risk()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        Assert.Equal(CanonicalJsonError.TooDeep, Refuse(deep));
        Assert.Equal(CanonicalJsonError.TooDeep, Refuse(new string('[', 17) + new string(']', 17)));
        Assert.Equal("[[[]]]", Canonicalize("[[[]]]"));
    }

    [Fact]
    public void Oversized_documents_strings_and_value_counts_are_refused()
    {
        var limits = new CanonicalJsonLimits { MaxBytes = 1000, MaxStringLength = 10, MaxValues = 20 };
        Assert.Equal(CanonicalJsonError.TooLarge, Refuse(new byte[1001], limits));
        Assert.Equal(CanonicalJsonError.StringTooLong, Refuse("[\"01234567890\"]", limits));
        Assert.Equal(CanonicalJsonError.StringTooLong, Refuse("{\"01234567890\":1}", limits));
        Assert.Equal(CanonicalJsonError.TooManyValues, Refuse("[" + string.Join(',', Enumerable.Repeat("1", 25)) + "]", limits));
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    public void Numbers_beyond_double_range_are_refused(string number)
    {
        Assert.Equal(CanonicalJsonError.InvalidNumber, Refuse($"[{number}]"));
    }

    [Fact]
    public void Lone_surrogates_are_refused()
    {
        Assert.Equal(CanonicalJsonError.InvalidString, Refuse("[\"\\ud800\"]"));
        Assert.Equal(CanonicalJsonError.InvalidString, Refuse("[\"\\udc00x\"]"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{}{}")]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1] // comment")]
    [InlineData("[NaN]")]
    [InlineData("['a']")]
    [InlineData("[01]")]
    public void Malformed_json_is_refused(string json)
    {
        Assert.Equal(CanonicalJsonError.MalformedJson, Refuse(json));
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        var error = Refuse([(byte)'[', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)']']);
        Assert.True(error is CanonicalJsonError.MalformedJson or CanonicalJsonError.InvalidString, error.ToString());
    }
}
