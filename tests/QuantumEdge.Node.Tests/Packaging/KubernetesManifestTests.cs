using System.Globalization;
using System.Net;
using QuantumEdge.Node.Tests.Hosting;
using YamlDotNet.RepresentationModel;
using static QuantumEdge.Node.Tests.Packaging.KubernetesManifests;

namespace QuantumEdge.Node.Tests.Packaging;

/// <summary>
/// packaging/kubernetes/quantum-federated-deployment.yaml says what the node needs: the guide's names,
/// probes on the node's real endpoints and ports, a non-root read-only container that can still write
/// where the node writes, the guide's resources and autoscaling, and a network policy that opens
/// exactly the node's listeners and the addresses production.yaml sends traffic to. No cluster runs
/// here, so these are checked against the node's own configuration and code instead.
/// </summary>
public sealed class KubernetesManifestTests
{
    private readonly KubernetesManifests _k8s = Load();

    [Fact]
    public void Every_object_lives_in_the_guides_namespace_under_the_guides_names()
    {
        Assert.Equal(Namespace, Text(_k8s.Single("Namespace", Namespace), "metadata.name"));
        foreach (var o in _k8s.Objects.Where(o => Text(o, "kind") != "Namespace"))
        {
            Assert.Equal(Namespace, Text(o, "metadata.namespace"));
        }

        Assert.Equal("restricted", Text(_k8s.Single("Namespace", Namespace), "metadata.labels.pod-security.kubernetes.io/enforce"));
        Assert.Equal("apps/v1", Text(_k8s.Deployment, "apiVersion"));
        Assert.Equal("quantum-router", Text(_k8s.Container, "name"));
        Assert.StartsWith("quantum-federated-llm:", Text(_k8s.Container, "image"), StringComparison.Ordinal);
        Assert.Equal(new[] { "serve" }, List(_k8s.Container, "args").Select(a => ((YamlScalarNode)a).Value));
        Assert.True(Int(_k8s.Deployment, "spec.replicas") >= 3);
        Assert.Equal("0", Text(_k8s.Deployment, "spec.strategy.rollingUpdate.maxUnavailable"));
    }

    [Fact]
    public void The_image_name_and_user_are_the_ones_build_image_sh_produces()
    {
        var script = File.ReadAllText(Path.Combine(RepositoryRoot(), "packaging", "container", "build-image.sh"));
        Assert.Contains("uid=10001", script, StringComparison.Ordinal);
        Assert.Contains("quantum-federated-llm:$version", script, StringComparison.Ordinal);
        Assert.Equal($"quantum-federated-llm:{QuantumEdge.Node.Hosting.NodeVersion.Current}", Text(_k8s.Container, "image"));
        Assert.Equal("10001", Text(_k8s.PodSpec, "securityContext.runAsUser"));
        Assert.Equal("10001", Text(_k8s.Container, "securityContext.runAsUser"));
    }

    [Fact]
    public void Selectors_of_the_service_budget_policy_and_anti_affinity_match_the_pods()
    {
        var pods = Labels(_k8s.Deployment, "spec.template.metadata.labels");
        void Selects(Dictionary<string, string> selector)
        {
            Assert.NotEmpty(selector);
            Assert.All(selector, p => Assert.Equal(p.Value, pods.GetValueOrDefault(p.Key)));
        }

        Selects(Labels(_k8s.Deployment, "spec.selector.matchLabels"));
        Selects(Labels(_k8s.Single("Service", DeploymentName), "spec.selector"));
        Selects(Labels(_k8s.Single("Service", DeploymentName + "-metrics"), "spec.selector"));
        Selects(Labels(_k8s.Single("PodDisruptionBudget", DeploymentName), "spec.selector.matchLabels"));
        Selects(Labels(_k8s.Single("NetworkPolicy", DeploymentName), "spec.podSelector.matchLabels"));

        // Across Kubernetes nodes: preferred anti-affinity and a hard even spread. A required anti-affinity would
        // cap the autoscaler at one replica per node and block a rolling update's surge pod on a 3-node cluster.
        Assert.Null(Find(_k8s.PodSpec, "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution"));
        var anti = Assert.Single(List(_k8s.PodSpec, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution"));
        Assert.Equal("kubernetes.io/hostname", Text(anti, "podAffinityTerm.topologyKey"));
        Selects(Labels(anti, "podAffinityTerm.labelSelector.matchLabels"));
        var spread = Assert.Single(List(_k8s.PodSpec, "topologySpreadConstraints"), t => Text(t, "topologyKey") == "kubernetes.io/hostname");
        Assert.Equal(1, Int(spread, "maxSkew"));
        Assert.Equal("DoNotSchedule", Text(spread, "whenUnsatisfiable"));
        Assert.Equal("Honor", Text(spread, "nodeTaintsPolicy"));
        Selects(Labels(spread, "labelSelector.matchLabels"));

        // The budget lets a drain proceed (fewer than the minimum replicas must stay) but never empties the service.
        var minAvailable = Int(_k8s.Single("PodDisruptionBudget", DeploymentName), "spec.minAvailable");
        Assert.InRange(minAvailable, 1, Int(_k8s.Single("HorizontalPodAutoscaler", DeploymentName), "spec.minReplicas") - 1);
    }

    [Fact]
    public void Probes_ask_the_nodes_liveness_and_readiness_endpoints_on_its_api_listener()
    {
        var api = ApiUrl();
        var apiPort = NamedPort("https");
        Assert.Equal(api.Port, apiPort);
        foreach (var (probe, path) in new[] { ("startupProbe", "/health/live"), ("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready") })
        {
            Assert.Equal(path, Text(_k8s.Container, $"{probe}.httpGet.path"));
            Assert.Equal(apiPort, NamedPort(Text(_k8s.Container, $"{probe}.httpGet.port")));
            Assert.Equal(api.Scheme, Text(_k8s.Container, $"{probe}.httpGet.scheme").ToLowerInvariant());
        }

        // A slow first start (schema migration, key derivation) is the startup probe's to wait for, not liveness's.
        Assert.True(Int(_k8s.Container, "startupProbe.periodSeconds") * Int(_k8s.Container, "startupProbe.failureThreshold") >= 120);
        Assert.Equal("https", Text(Assert.Single(List(_k8s.Single("Service", DeploymentName), "spec.ports")), "targetPort"));
        Assert.Equal(MetricsUrl().Port, NamedPort("metrics"));
        Assert.Equal("metrics", Text(Assert.Single(List(_k8s.Single("Service", DeploymentName + "-metrics"), "spec.ports")), "targetPort"));
    }

    [Fact]
    public async Task The_probe_paths_answer_200_on_a_running_node_and_it_exports_the_hpas_custom_metric()
    {
        // Backend health is re-probed every second, so a first probe lost to a loaded machine is retried.
        await using var node = await TestNode.StartAsync([new TestNode.Sim("gpu", TestNode.AllLevels)], server: s => s with { HealthProbeIntervalSeconds = 1 });
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            // Readiness waits for the first backend health probe, which a loaded machine can delay: poll with a deadline.
            var path = Text(_k8s.Container, $"{probe}.httpGet.path");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            HttpStatusCode status;
            while (true)
            {
                using var r = await node.Http.GetAsync(path);
                status = r.StatusCode;
                if (status == HttpStatusCode.OK || DateTime.UtcNow > deadline)
                {
                    break;
                }

                Assert.NotEqual(HttpStatusCode.NotFound, status);
                await Task.Delay(100);
            }

            Assert.True(status == HttpStatusCode.OK, $"{probe} {path}: {(int)status}");
        }

        var metric = Text(Assert.Single(List(_k8s.Single("HorizontalPodAutoscaler", DeploymentName), "spec.metrics"), m => Text(m, "type") == "Pods"), "pods.metric.name");
        using var http = new HttpClient();
        var page = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.Contains($"\n{metric} ", page, StringComparison.Ordinal);
    }

    [Fact]
    public void The_container_runs_non_root_read_only_without_capabilities_and_can_write_where_the_node_writes()
    {
        var pod = _k8s.PodSpec;
        var c = _k8s.Container;
        Assert.Equal("true", Text(pod, "securityContext.runAsNonRoot"));
        Assert.Equal("RuntimeDefault", Text(pod, "securityContext.seccompProfile.type"));
        Assert.Equal("RuntimeDefault", Text(c, "securityContext.seccompProfile.type"));
        Assert.Equal("true", Text(c, "securityContext.runAsNonRoot"));
        Assert.Equal("true", Text(c, "securityContext.readOnlyRootFilesystem"));
        Assert.Equal("false", Text(c, "securityContext.allowPrivilegeEscalation"));
        Assert.Equal(new[] { "ALL" }, List(c, "securityContext.capabilities.drop").Select(n => ((YamlScalarNode)n).Value));
        Assert.Null(Find(c, "securityContext.capabilities.add"));
        Assert.Equal("false", Text(pod, "automountServiceAccountToken"));

        var volumes = List(pod, "volumes").Cast<YamlMappingNode>().ToDictionary(v => Text(v, "name"));
        var mounts = List(c, "volumeMounts").Cast<YamlMappingNode>().ToDictionary(m => Text(m, "mountPath"));
        string VolumeKind(string mountPath) => volumes[Text(mounts[mountPath], "name")].Children.Keys
            .Select(k => ((YamlScalarNode)k).Value!).Single(k => k != "name");
        bool ReadOnly(string mountPath) => OptionalText(mounts[mountPath], "readOnly") == "true";

        // Writable: the data directory (admin socket, planner and emergency state) and /tmp, both per pod.
        var config = _k8s.ProductionConfig;
        var dataDir = Text(config, "node.data_dir");
        Assert.Equal("emptyDir", VolumeKind(dataDir));
        Assert.False(ReadOnly(dataDir));
        Assert.Equal("emptyDir", VolumeKind("/tmp"));
        Assert.False(ReadOnly("/tmp"));

        // Read-only: the configuration where QUANTUM_CONFIG_PATH points, the node key, the TLS pair.
        var configPath = Text(Env("QUANTUM_CONFIG_PATH"), "value");
        Assert.Equal("configMap", VolumeKind(Path.GetDirectoryName(configPath)!));
        Assert.True(ReadOnly(Path.GetDirectoryName(configPath)!));
        Assert.Equal(Path.GetFileName(configPath), Text(Assert.Single(List(volumes["config"], "configMap.items")), "path"));
        var keyDir = Text(config, "storage.node_key_dir");
        Assert.Equal("secret", VolumeKind(keyDir));
        Assert.True(ReadOnly(keyDir));
        var keyFiles = List(volumes[Text(mounts[keyDir], "name")], "secret.items").Select(i => Text(i, "path")).ToList();
        Assert.Contains(QuantumEdge.Ledger.Crypto.NodeIdentity.PrivateKeyFileName, keyFiles);
        Assert.Contains(QuantumEdge.Ledger.Crypto.NodeIdentity.PublicKeyFileName, keyFiles);
        foreach (var file in new[] { Text(config, "server.tls.certificate_file"), Text(config, "server.tls.key_file") })
        {
            var dir = Path.GetDirectoryName(file)!;
            Assert.Equal("secret", VolumeKind(dir));
            Assert.True(ReadOnly(dir));
        }

        // The mounted secrets are readable by the node's group (fsGroup) and nobody else.
        Assert.Equal("10001", Text(pod, "securityContext.fsGroup"));
        foreach (var secret in volumes.Values.Where(v => Find(v, "secret") is not null))
        {
            Assert.Equal("0440", Text(secret, "secret.defaultMode"));
        }

        Assert.Equal(mounts.Count, mounts.Values.Select(m => Text(m, "name")).Distinct().Count());
    }

    [Fact]
    public void Resources_are_the_guides_and_match_the_limits_the_node_applies_to_itself()
    {
        var config = _k8s.ProductionConfig;
        Assert.Equal("8Gi", Text(config, "resources.memory_limit"));
        Assert.Equal("4000m", Text(config, "resources.cpu_limit"));
        foreach (var side in new[] { "requests", "limits" })
        {
            Assert.Equal(Text(config, "resources.memory_limit"), Text(_k8s.Container, $"resources.{side}.memory"));
            Assert.Equal(Text(config, "resources.cpu_limit"), Text(_k8s.Container, $"resources.{side}.cpu"));
        }

        // The GPU is optional: requesting one would leave every replica unschedulable on a cluster without them.
        Assert.Null(Find(_k8s.Container, "resources.limits.nvidia.com/gpu"));
    }

    [Fact]
    public void The_autoscaler_has_the_guides_bounds_and_three_signals()
    {
        var hpa = _k8s.Single("HorizontalPodAutoscaler", DeploymentName);
        Assert.Equal("autoscaling/v2", Text(hpa, "apiVersion"));
        Assert.Equal("Deployment", Text(hpa, "spec.scaleTargetRef.kind"));
        Assert.Equal(DeploymentName, Text(hpa, "spec.scaleTargetRef.name"));
        Assert.Equal(3, Int(hpa, "spec.minReplicas"));
        Assert.Equal(20, Int(hpa, "spec.maxReplicas"));

        var metrics = List(hpa, "spec.metrics").Cast<YamlMappingNode>().ToList();
        Assert.Equal(3, metrics.Count);
        YamlMappingNode Resource(string name) => Assert.Single(metrics, m => Text(m, "type") == "Resource" && Text(m, "resource.name") == name);
        Assert.Equal("Utilization", Text(Resource("cpu"), "resource.target.type"));
        Assert.Equal(70, Int(Resource("cpu"), "resource.target.averageUtilization"));
        Assert.Equal("Utilization", Text(Resource("memory"), "resource.target.type"));
        Assert.Equal(80, Int(Resource("memory"), "resource.target.averageUtilization"));
        var pods = Assert.Single(metrics, m => Text(m, "type") == "Pods");
        Assert.Equal("quantum_coherence_utilization", Text(pods, "pods.metric.name"));
        Assert.Equal("AverageValue", Text(pods, "pods.target.type"));
        Assert.Equal(0.8, double.Parse(Text(pods, "pods.target.averageValue"), CultureInfo.InvariantCulture));

        // Utilization is a share of the request: every container of the pod must request cpu and memory.
        Assert.NotNull(Find(_k8s.Container, "resources.requests.cpu"));
        Assert.NotNull(Find(_k8s.Container, "resources.requests.memory"));
        Assert.Equal(Int(hpa, "spec.minReplicas"), Int(_k8s.Deployment, "spec.replicas"));
    }

    [Fact]
    public void The_prometheus_adapter_rule_serves_the_hpas_metric_per_pod_from_the_series_the_node_exports()
    {
        var values = Assert.Single(Documents(File.ReadAllText(Path.Combine(RepositoryRoot(), "packaging", "kubernetes", "prometheus-adapter-values.yaml"))));
        var rule = Assert.Single(List(values, "rules.custom"));
        const string metric = "quantum_coherence_utilization";
        Assert.StartsWith(metric + "{", Text(rule, "seriesQuery"), StringComparison.Ordinal);
        Assert.Equal(metric, Text(rule, "name.as"));
        Assert.Equal("namespace", Text(rule, "resources.overrides.namespace.resource"));
        Assert.Equal("pod", Text(rule, "resources.overrides.pod.resource"));
        Assert.Contains("<<.Series>>{<<.LabelMatchers>>}", Text(rule, "metricsQuery"), StringComparison.Ordinal);
        Assert.Contains("by (<<.GroupBy>>)", Text(rule, "metricsQuery"), StringComparison.Ordinal);
        Assert.Contains(metric, MonitoringMetricNamesTests.MetricNames(Text(rule, "seriesQuery")));

        // The scrape that gives the series their pod label, on the pods' metrics port.
        var monitor = Assert.Single(Documents(File.ReadAllText(Path.Combine(RepositoryRoot(), "packaging", "kubernetes", "prometheus-podmonitor.yaml"))));
        Assert.Equal(Namespace, Text(monitor, "metadata.namespace"));
        var endpoint = Assert.Single(List(monitor, "spec.podMetricsEndpoints"));
        Assert.Equal("metrics", Text(endpoint, "port"));
        Assert.Equal("/metrics", Text(endpoint, "path"));
        Assert.Equal(MetricsUrl().Scheme, Text(endpoint, "scheme"));
        var pods = Labels(_k8s.Deployment, "spec.template.metadata.labels");
        Assert.All(Labels(monitor, "spec.selector.matchLabels"), p => Assert.Equal(p.Value, pods.GetValueOrDefault(p.Key)));
    }

    [Fact]
    public void The_network_policy_admits_the_api_and_metrics_only_and_lets_out_only_backends_postgresql_and_dns()
    {
        var policy = _k8s.Single("NetworkPolicy", DeploymentName);
        Assert.Equal(new[] { "Ingress", "Egress" }, List(policy, "spec.policyTypes").Select(n => ((YamlScalarNode)n).Value));

        var ingress = List(policy, "spec.ingress").Cast<YamlMappingNode>().ToList();
        Assert.Equal(2, ingress.Count);
        var api = Assert.Single(ingress, r => Ports(r).SequenceEqual(new[] { (ApiUrl().Port, "TCP") }));
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+/\d+$", Text(Assert.Single(List(api, "from")), "ipBlock.cidr"));
        var metrics = Assert.Single(ingress, r => Ports(r).SequenceEqual(new[] { (MetricsUrl().Port, "TCP") }));
        Assert.Equal("monitoring", Text(Assert.Single(List(metrics, "from")), "namespaceSelector.matchLabels.kubernetes.io/metadata.name"));

        // Every egress rule names its ports (none is open-ended), and together they are exactly these.
        var egress = List(policy, "spec.egress").Cast<YamlMappingNode>().ToList();
        Assert.All(egress, r => Assert.NotEmpty(Ports(r)));
        Assert.All(egress, r => Assert.NotEmpty(List(r, "to")));
        var backends = List(_k8s.ProductionConfig, "backends").Select(b => new Uri(Text(b, "url"))).ToList();
        Assert.NotEmpty(backends);
        foreach (var url in backends)
        {
            // The backend's own address and port, not a wider range.
            Assert.Single(egress, r => Ports(r).SequenceEqual(new[] { (url.Port, "TCP") })
                && List(r, "to").Any(t => OptionalText(t, "ipBlock.cidr") == url.Host + "/32"));
        }

        var postgres = Assert.Single(egress, r => Ports(r).SequenceEqual(new[] { (5432, "TCP") }));
        Assert.Contains(List(postgres, "to"), t => Find(t, "podSelector") is not null);
        var dns = Assert.Single(egress, r => Ports(r).Any(p => p.Port == 53));
        Assert.Equal(new[] { (53, "UDP"), (53, "TCP") }, Ports(dns));
        Assert.Equal("kube-system", Text(Assert.Single(List(dns, "to")), "namespaceSelector.matchLabels.kubernetes.io/metadata.name"));
        Assert.Equal(backends.Count + 2, egress.Count);
    }

    [Fact]
    public void Every_secret_the_node_reads_from_its_environment_comes_from_a_secret_reference()
    {
        var config = _k8s.ProductionConfig;
        var wanted = new List<string> { "JWT_SECRET", "MASTER_KEY", Text(config, "storage.postgresql.connection_string_env") };
        wanted.AddRange(List(config, "backends").Select(b => OptionalText(b, "api_key_env")).OfType<string>());
        Assert.Equal("postgresql", Text(config, "storage.backend"));
        Assert.Equal("hs256", Text(config, "auth.mode"));
        foreach (var variable in wanted)
        {
            var env = Env(variable);
            Assert.True(Find(env, "value") is null, $"{variable} is written into the manifest");
            Assert.NotEmpty(Text(env, "valueFrom.secretKeyRef.name"));
            Assert.NotEmpty(Text(env, "valueFrom.secretKeyRef.key"));
        }

        // Nothing secret sits in the file itself.
        Assert.DoesNotContain(_k8s.Objects, o => Text(o, "kind") == "Secret");
    }

    /// <summary>The secrets the Deployment refers to: (secret, key) from env and from secret volumes' items ("" for a whole secret).</summary>
    internal static List<(string Secret, string Key)> SecretReferences(KubernetesManifests k8s)
    {
        var refs = List(k8s.Container, "env").Cast<YamlMappingNode>()
            .Where(e => Find(e, "valueFrom.secretKeyRef") is not null)
            .Select(e => (Text(e, "valueFrom.secretKeyRef.name"), Text(e, "valueFrom.secretKeyRef.key"))).ToList();
        foreach (var v in List(k8s.PodSpec, "volumes").Where(v => Find(v, "secret") is not null))
        {
            var name = Text(v, "secret.secretName");
            if (Find(v, "secret.items") is YamlSequenceNode items)
            {
                refs.AddRange(items.Select(i => (name, Text(i, "key"))));
            }
            else
            {
                refs.Add((name, ""));
            }
        }

        return refs;
    }

    private YamlMappingNode Env(string name) =>
        Assert.Single(List(_k8s.Container, "env").Cast<YamlMappingNode>(), e => Text(e, "name") == name);

    private int NamedPort(string name) =>
        int.TryParse(name, out var n) ? n : Int(Assert.Single(List(_k8s.Container, "ports"), p => Text(p, "name") == name), "containerPort");

    private Uri ApiUrl() => new(((YamlScalarNode)Assert.Single(List(_k8s.ProductionConfig, "server.urls"))).Value!.Replace("0.0.0.0", "node", StringComparison.Ordinal));

    private Uri MetricsUrl() => new(Text(_k8s.ProductionConfig, "server.metrics_url").Replace("0.0.0.0", "node", StringComparison.Ordinal));

    private static List<(int Port, string Protocol)> Ports(YamlNode rule) =>
        Find(rule, "ports") is YamlSequenceNode ports ? ports.Select(p => (Int(p, "port"), Text(p, "protocol"))).ToList() : [];
}
