using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// A YAML mapping read key by key, which remembers what was read so that any key left over
/// is reported as unknown. Reads are strict: a wrong type or range names the key's full path.
/// </summary>
internal sealed class YamlSection
{
    private readonly YamlMappingNode? _node;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private Dictionary<string, YamlNode>? _byKey;

    public YamlSection(YamlMappingNode? node, string path)
    {
        _node = node;
        Path = path;
    }

    /// <summary>The dotted path of this mapping ("" for the root).</summary>
    public string Path { get; }

    /// <summary>Whether the section was present in the file at all.</summary>
    public bool Exists => _node is not null;

    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>The raw node for a key, or null when absent or explicitly null.</summary>
    public YamlNode? Raw(string key)
    {
        _known.Add(key);
        if (_node is null)
        {
            return null;
        }

        // Indexed once: a lookup per key by a scan of the mapping made a 60,000-entry map take 20 s to read.
        _byKey ??= Index(_node);
        if (!_byKey.TryGetValue(key, out var v))
        {
            return null;
        }

        return IsNull(v) ? null : v;
    }

    /// <summary>Whether a node is YAML's null: an unquoted ~, null, Null, NULL or nothing at all.</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Value: null or "~" or "null" or "Null" or "NULL" or "", Style: YamlDotNet.Core.ScalarStyle.Plain };

    private static Dictionary<string, YamlNode> Index(YamlMappingNode node)
    {
        var index = new Dictionary<string, YamlNode>(node.Children.Count, StringComparer.Ordinal);
        foreach (var (k, v) in node.Children)
        {
            if (k is YamlScalarNode { Value: { } name })
            {
                // The parser refuses a key given twice, so the first is the only one.
                index.TryAdd(name, v);
            }
        }

        return index;
    }

    public YamlSection Section(string key)
    {
        var raw = Raw(key);
        return raw switch
        {
            null => new YamlSection(null, KeyPath(key)),
            YamlMappingNode m => new YamlSection(m, KeyPath(key)),
            _ => throw new ConfigurationException(KeyPath(key), "expected a mapping of keys"),
        };
    }

    public IReadOnlyList<YamlSection> SectionList(string key)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return [];
        }

        if (raw is not YamlSequenceNode seq)
        {
            throw new ConfigurationException(KeyPath(key), "expected a list");
        }

        var result = new List<YamlSection>(seq.Children.Count);
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var path = $"{KeyPath(key)}[{i}]";
            result.Add(seq.Children[i] is YamlMappingNode m
                ? new YamlSection(m, path)
                : throw new ConfigurationException(path, "expected a mapping of keys"));
        }

        return result;
    }

    public string String(string key, string fallback) => OptionalString(key) ?? fallback;

    public string? OptionalString(string key)
    {
        var raw = Raw(key);
        return raw switch
        {
            null => null,
            YamlScalarNode s => s.Value,
            _ => throw new ConfigurationException(KeyPath(key), "expected a single value, not a list or mapping"),
        };
    }

    /// <summary>
    /// The name of an environment variable that holds a secret (letters, digits and '_', not starting
    /// with a digit). Anything else is refused without being echoed: it may be the secret pasted here.
    /// </summary>
    public string? OptionalVariableName(string key, string whatItHolds)
    {
        var name = OptionalString(key);
        if (string.IsNullOrWhiteSpace(name))
        {
            // Quoted empty is as good as not given: no variable is named.
            return null;
        }

        return IsVariableName(name)
            ? name
            : throw new ConfigurationException(KeyPath(key),
                $"must be the name of an environment variable (letters, digits and '_', not starting with a digit), not {whatItHolds} itself");
    }

    private static bool IsVariableName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.AsSpan().IndexOfAnyExcept(VariableNameChars) < 0;

    private static readonly System.Buffers.SearchValues<char> VariableNameChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    public string Choice(string key, string fallback, params string[] allowed)
    {
        var value = String(key, fallback);
        foreach (var a in allowed)
        {
            if (string.Equals(a, value, StringComparison.OrdinalIgnoreCase))
            {
                return a;
            }
        }

        throw new ConfigurationException(KeyPath(key), $"'{value}' is not one of: {string.Join(", ", allowed)}");
    }

    public bool Bool(string key, bool fallback)
    {
        var text = OptionalString(key);
        if (text is null)
        {
            return fallback;
        }

        return text.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw new ConfigurationException(KeyPath(key), $"expected true or false, got '{text}'"),
        };
    }

    public double Double(string key, double fallback, double min = double.MinValue, double max = double.MaxValue)
    {
        var text = OptionalString(key);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new ConfigurationException(KeyPath(key), $"expected a number, got '{text}'");
        }

        return value < min || value > max
            ? throw new ConfigurationException(KeyPath(key), $"{text} is out of range [{Format(min)}, {Format(max)}]")
            : value;
    }

    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = OptionalString(key);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            // A whole number too large for the type is out of range, not malformed.
            throw new ConfigurationException(KeyPath(key),
                System.Numerics.BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
                    ? $"{text} is out of range [{min}, {max}]"
                    : $"expected a whole number, got '{text}'");
        }

        return value < min || value > max
            ? throw new ConfigurationException(KeyPath(key), $"{text} is out of range [{min}, {max}]")
            : value;
    }

    public IReadOnlyList<string> StringList(string key, IReadOnlyList<string> fallback)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return fallback;
        }

        if (raw is not YamlSequenceNode seq)
        {
            throw new ConfigurationException(KeyPath(key), "expected a list of values");
        }

        var list = new List<string>(seq.Children.Count);
        for (var i = 0; i < seq.Children.Count; i++)
        {
            list.Add(seq.Children[i] is YamlScalarNode { Value: { } v } item && !IsNull(item)
                ? v
                : throw new ConfigurationException($"{KeyPath(key)}[{i}]",
                    IsNull(seq.Children[i]) ? "is empty (YAML null): give a value, quoted if it is \"~\" or \"null\" itself, or remove the item" : "expected a single value"));
        }

        return list;
    }

    /// <summary>All keys of a free-form mapping (for maps whose keys are data, such as department names).</summary>
    public IReadOnlyList<string> Keys()
    {
        if (_node is null)
        {
            return [];
        }

        var keys = new List<string>();
        foreach (var (k, _) in _node.Children)
        {
            keys.Add(k is YamlScalarNode { Value: { } s } ? s : throw new ConfigurationException(Path, "keys must be plain values"));
        }

        return keys;
    }

    /// <summary>Throws for the first key that no reader asked for.</summary>
    public void RejectUnknownKeys()
    {
        if (_node is null)
        {
            return;
        }

        foreach (var (k, _) in _node.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? k.ToString();
            if (!_known.Contains(name))
            {
                throw new ConfigurationException(KeyPath(name), "unknown key");
            }
        }
    }

    private static string Format(double v) =>
        v == double.MaxValue ? "∞" : v == double.MinValue ? "-∞" : v.ToString(CultureInfo.InvariantCulture);
}
