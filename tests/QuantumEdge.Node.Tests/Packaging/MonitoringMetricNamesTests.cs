using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Packaging;

/// <summary>
/// The shipped Prometheus rules and Grafana dashboard query only series the node exports: every
/// metric name in their expressions appears on a node's /metrics page after some traffic, so a
/// renamed or removed metric fails here instead of silently blanking a panel or an alert.
/// </summary>
public sealed partial class MonitoringMetricNamesTests
{
    private static readonly HashSet<string> PromQlWords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan", "le",
    };

    [Fact]
    public void Metric_names_are_read_from_every_rule_and_panel()
    {
        var (rules, recorded) = RuleExpressions();
        var names = rules.SelectMany(MetricNames).Concat(DashboardExpressions().SelectMany(MetricNames)).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("task_planning_time_p95", recorded);
        Assert.Contains("privacy_violations_total", names);
        Assert.Contains("quantum_coherence_utilization", names);
        Assert.Contains("task_planning_time_bucket", names);
        Assert.Contains("quantumedge_backends_ready", names);
        Assert.DoesNotContain("instance", names);
        Assert.DoesNotContain("status", names);
        Assert.DoesNotContain("histogram_quantile", names);
    }

    [Fact]
    public async Task Every_metric_in_the_alert_rules_and_the_dashboard_is_exported_by_the_node()
    {
        await using var node = await TestNode.StartAsync(
        [
            new TestNode.Sim("gpu", TestNode.AllLevels),
            new TestNode.Sim("gone", TestNode.AllLevels, new Gateway.Simulation.SimulatedBackendOptions { Name = "gone", TimeScale = 0, Models = ["old-7b"] }, Dead: true),
        ]);
        using (var r = await node.Http.SendAsync(node.Chat(node.Token(), "phi")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using (var r = await node.Http.SendAsync(node.Chat(node.Token(), "public", content: "Summarise the chart for MRN 00483921 before rounds.")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using (var r = await node.Http.SendAsync(node.Chat(node.Token(), "public", model: "old-7b")))
        {
            Assert.NotEqual(HttpStatusCode.OK, r.StatusCode);
        }

        using (var r = await node.Http.SendAsync(node.Chat(null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }

        using var http = new HttpClient();
        var exported = ExportedNames(await http.GetStringAsync(node.Node.MetricsAddress + "/metrics"));

        // Federation series exist on a federated node only.
        await using (var federated = await Federation.FederatedNodes.StartAsync(1))
        {
            exported.UnionWith(ExportedNames(await http.GetStringAsync(federated.Nodes[0].Node.MetricsAddress + "/metrics")));
        }

        var (rules, recorded) = RuleExpressions();
        var wanted = rules.Concat(DashboardExpressions()).SelectMany(MetricNames).ToHashSet(StringComparer.Ordinal);
        var missing = wanted.Where(n => !exported.Contains(n) && !recorded.Contains(n)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "queried but not exported by the node: " + string.Join(", ", missing));
    }

    /// <summary>Sample names and family names (# TYPE lines) on a Prometheus text page.</summary>
    private static HashSet<string> ExportedNames(string page)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in page.Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                names.Add(line.Split(' ')[2]);
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                names.Add(line[..line.IndexOfAny(['{', ' '])]);
            }
        }

        return names;
    }

    /// <summary>The expressions of alerts.yml (one line each, by that file's rule) and the names its recording rules define.</summary>
    private static (List<string> Expressions, HashSet<string> Recorded) RuleExpressions()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "packaging", "prometheus", "alerts.yml"));
        var expressions = lines.Select(l => ExprLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        var recorded = lines.Select(l => RecordLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.True(expressions.Count >= 10, $"only {expressions.Count} expressions read from alerts.yml");
        return (expressions, recorded);
    }

    private static List<string> DashboardExpressions()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "packaging", "grafana", "quantumedge.json")));
        var expressions = new List<string>();
        foreach (var panel in doc.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                expressions.Add(target.GetProperty("expr").GetString()!);
            }
        }

        foreach (var variable in doc.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.TryGetProperty("definition", out var definition))
            {
                expressions.Add(LabelValuesCall().Replace(definition.GetString()!, "$1"));
            }
        }

        Assert.True(expressions.Count >= 15, $"only {expressions.Count} expressions read from the dashboard");
        return expressions;
    }

    /// <summary>Metric names in a PromQL expression: identifiers that are not functions, keywords, label names or durations.</summary>
    internal static IEnumerable<string> MetricNames(string expression)
    {
        var text = Strings().Replace(expression, " ");
        text = Selectors().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        text = Groupings().Replace(text, " ");
        foreach (Match m in Identifiers().Matches(text))
        {
            var name = m.Groups[1].Value;
            if (!m.Groups[2].Success && !PromQlWords.Contains(name) && !char.IsDigit(name[0]))
            {
                yield return name;
            }
        }
    }

    private static string RepositoryRoot()
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

    [GeneratedRegex(@"^\s*expr:\s*(.+?)\s*$")]
    private static partial Regex ExprLine();

    [GeneratedRegex(@"^\s*-?\s*record:\s*(\S+)\s*$")]
    private static partial Regex RecordLine();

    [GeneratedRegex(@"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,[^)]*\)")]
    private static partial Regex LabelValuesCall();

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Selectors();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Groupings();

    [GeneratedRegex(@"(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")]
    private static partial Regex Identifiers();
}
