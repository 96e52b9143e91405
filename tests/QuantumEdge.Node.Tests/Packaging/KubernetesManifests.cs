using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace QuantumEdge.Node.Tests.Packaging;

/// <summary>
/// packaging/kubernetes/quantum-federated-deployment.yaml parsed into its objects, with the few
/// look-ups the manifest tests need. A missing key fails the test with the key's path.
/// </summary>
internal sealed class KubernetesManifests
{
    public const string Namespace = "quantum-federated-llm";
    public const string DeploymentName = "quantum-federated-router";

    private KubernetesManifests(List<YamlMappingNode> objects) => Objects = objects;

    public List<YamlMappingNode> Objects { get; }

    public YamlMappingNode Deployment => Single("Deployment", DeploymentName);

    public YamlMappingNode PodSpec => Map(Deployment, "spec.template.spec");

    public YamlMappingNode Container => Assert.Single(List(PodSpec, "containers").Cast<YamlMappingNode>(), c => Text(c, "name") == "quantum-router");

    /// <summary>The config map's production.yaml, as text.</summary>
    public string ProductionYaml => Text(Single("ConfigMap", "quantum-config"), "data.production.yaml");

    /// <summary>The config map's production.yaml, parsed as plain YAML.</summary>
    public YamlMappingNode ProductionConfig
    {
        get
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(ProductionYaml));
            return (YamlMappingNode)stream.Documents[0].RootNode;
        }
    }

    public static KubernetesManifests Load(string relativePath = "packaging/kubernetes/quantum-federated-deployment.yaml") =>
        new(Documents(File.ReadAllText(Path.Combine(RepositoryRoot(), relativePath))));

    /// <summary>The mapping documents of a multi-document YAML text (empty documents skipped).</summary>
    public static List<YamlMappingNode> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    public YamlMappingNode Single(string kind, string name) =>
        Assert.Single(Objects, o => Text(o, "kind") == kind && Text(o, "metadata.name") == name);

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QuantumEdge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("QuantumEdge.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The node at a dotted path (keys may hold dots only as the last segment, like <c>data.production.yaml</c>), or null.</summary>
    public static YamlNode? Find(YamlNode node, string path)
    {
        var current = node;
        var rest = path;
        while (rest.Length > 0)
        {
            if (current is not YamlMappingNode map)
            {
                return null;
            }

            // A whole remaining path that is itself a key wins (production.yaml, tls.crt).
            if (map.Children.TryGetValue(new YamlScalarNode(rest), out var whole))
            {
                return whole;
            }

            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            var key = dot < 0 ? rest : rest[..dot];
            rest = dot < 0 ? "" : rest[(dot + 1)..];
            if (!map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    public static YamlNode Node(YamlNode node, string path) =>
        Find(node, path) ?? throw new Xunit.Sdk.XunitException($"no '{path}' in {Describe(node)}");

    public static YamlMappingNode Map(YamlNode node, string path) => Assert.IsType<YamlMappingNode>(Node(node, path));

    public static YamlSequenceNode List(YamlNode node, string path) => Assert.IsType<YamlSequenceNode>(Node(node, path));

    public static string Text(YamlNode node, string path) => Assert.IsType<YamlScalarNode>(Node(node, path)).Value ?? "";

    public static string? OptionalText(YamlNode node, string path) => (Find(node, path) as YamlScalarNode)?.Value;

    public static int Int(YamlNode node, string path) => int.Parse(Text(node, path), CultureInfo.InvariantCulture);

    /// <summary>A mapping's scalar entries, for label selectors.</summary>
    public static Dictionary<string, string> Labels(YamlNode node, string path) =>
        Map(node, path).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!);

    private static string Describe(YamlNode node) =>
        node is YamlMappingNode m && Find(m, "kind") is YamlScalarNode kind ? $"{kind.Value} {OptionalText(m, "metadata.name")}" : $"node at line {node.Start.Line}";
}
