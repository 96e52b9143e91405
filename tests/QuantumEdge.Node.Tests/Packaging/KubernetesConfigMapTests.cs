using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Cli;
using static QuantumEdge.Node.Tests.Packaging.KubernetesManifests;

namespace QuantumEdge.Node.Tests.Packaging;

/// <summary>
/// The config map's production.yaml passes the node's own configuration loader and check-config's
/// secret check with exactly the environment a pod gets: the Deployment's values and the Secrets
/// create-secrets.sh makes. A key the node does not know, a secret it needs but the pod lacks, or
/// a wrong value stops the replicas at start-up (exit 2), so it fails here instead.
/// </summary>
public sealed class KubernetesConfigMapTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-k8s-config-").FullName;
    private readonly KubernetesManifests _k8s = Load();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_config_maps_production_yaml_passes_the_nodes_configuration_check_with_the_pods_environment()
    {
        var env = KubernetesSecretsTests.PodEnvironment(_k8s, await KubernetesSecretsTests.CreateSecretsAsync(_dir));

        var config = ConfigurationLoader.Parse(_k8s.ProductionYaml, "configmap quantum-config", env.GetValueOrDefault);

        Assert.Empty(RequiredSecrets.Check(config, env.GetValueOrDefault));
        Assert.Equal("/app/data", config.Node.DataDir);
        Assert.Equal("/app/keys", config.Storage.NodeKeyDir);
        Assert.Equal(Text(_k8s.Container, "resources.limits.memory"), config.Resources.MemoryLimit);
        Assert.Equal(Text(_k8s.Container, "resources.limits.cpu"), config.Resources.CpuLimit);
        Assert.Equal("/app/tls/tls.crt", config.Server.Tls?.CertificateFile);
    }
}
