using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>The <c>node</c> block: who this node is and where its state lives.</summary>
public sealed record NodeSettings
{
    public string Id { get; init; } = "hospital-node";
    public string Name { get; init; } = "QuantumEdge node";
    public string DataDir { get; init; } = "./quantumedge-data";

    /// <summary>The longest <c>node.id</c>.</summary>
    public const int MaxIdLength = 128;

    /// <summary>The longest <c>node.name</c>.</summary>
    public const int MaxNameLength = 256;

    internal static NodeSettings Read(YamlSection s)
    {
        var d = new NodeSettings();
        var result = new NodeSettings
        {
            Id = NonEmpty(s, "id", d.Id),
            Name = s.String("name", d.Name),
            DataDir = NonEmpty(s, "data_dir", d.DataDir),
        };
        s.RejectUnknownKeys();
        Printable(s.KeyPath("id"), result.Id, MaxIdLength);
        Printable(s.KeyPath("name"), result.Name, MaxNameLength);
        DirectoryPath.Check(s.KeyPath("data_dir"), result.DataDir);
        return result;
    }

    /// <summary>
    /// The node's id and name go into every log line, audit record, metric label and incident
    /// bundle: a line break there forges log lines, and a bidirectional override makes a record
    /// read as another node's.
    /// </summary>
    private static void Printable(string key, string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            throw new ConfigurationException(key, $"is {value.Length} characters long; at most {maxLength}");
        }

        if (UnsafeCharacters.Find(value) is { Index: >= 0 } unsafeCharacter)
        {
            throw new ConfigurationException(key, $"holds the character U+{unsafeCharacter.CodePoint:X4} at position {unsafeCharacter.Index + 1}: only printable characters (no control, format or bidirectional-override characters)");
        }
    }

    internal static string NonEmpty(YamlSection s, string key, string fallback)
    {
        var v = s.String(key, fallback);
        return string.IsNullOrWhiteSpace(v) ? throw new ConfigurationException(s.KeyPath(key), "must not be empty") : v;
    }
}
