namespace QuantumEdge.Gateway.Configuration;

/// <summary>The <c>node</c> block: who this node is and where its state lives.</summary>
public sealed record NodeSettings
{
    public string Id { get; init; } = "hospital-node";
    public string Name { get; init; } = "QuantumEdge node";
    public string DataDir { get; init; } = "./quantumedge-data";

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
        return result;
    }

    internal static string NonEmpty(YamlSection s, string key, string fallback)
    {
        var v = s.String(key, fallback);
        return string.IsNullOrWhiteSpace(v) ? throw new ConfigurationException(s.KeyPath(key), "must not be empty") : v;
    }
}
