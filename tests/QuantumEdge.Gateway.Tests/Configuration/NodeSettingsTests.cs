using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary>
/// <c>node.id</c> and <c>node.name</c> reach every log line, audit record and incident bundle, with
/// federation on or off: only printable text of a bounded length is accepted.
/// </summary>
public sealed class NodeSettingsTests
{
    private static ConfigurationException Fails(string yaml) =>
        Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse(yaml, "test.yaml", TestEnvironment.Empty));

    [Theory]
    [InlineData("id", "\"ward-a\\nforged line\"", "U+000A at position 7")]
    [InlineData("id", "\"ward-a\\u202Eb-draw\"", "U+202E at position 7")]
    [InlineData("id", "\"a\\u200Bb\"", "U+200B at position 2")]
    [InlineData("id", "\"a\\tb\"", "U+0009")]
    [InlineData("name", "\"St Mary\\u2028s\"", "U+2028")]
    [InlineData("name", "\"x\\U000E0041\"", "U+E0041 at position 2")]
    public void Control_format_and_separator_characters_are_refused_by_code_point(string key, string value, string named)
    {
        var e = Fails($"node:\n  {key}: {value}\n");
        Assert.Equal($"node.{key}", e.Key);
        Assert.Contains(named, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlong_ids_and_names_are_refused()
    {
        Assert.Equal("node.id", Fails($"node:\n  id: {new string('a', NodeSettings.MaxIdLength + 1)}\n").Key);
        Assert.Equal("node.name", Fails($"node:\n  name: {new string('a', NodeSettings.MaxNameLength + 1)}\n").Key);
    }

    [Fact]
    public void Printable_text_in_any_script_is_kept()
    {
        var c = ConfigurationLoader.Parse(
            $"node:\n  id: {new string('a', NodeSettings.MaxIdLength)}\n  name: \"Klinikum München — Station 3 (北院) 🏥\"\n",
            "test.yaml", TestEnvironment.Empty);
        Assert.Equal("Klinikum München — Station 3 (北院) 🏥", c.Node.Name);
    }
}
