using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Node.Cli;
using YamlDotNet.RepresentationModel;
using static QuantumEdge.Node.Tests.Packaging.KubernetesManifests;

namespace QuantumEdge.Node.Tests.Packaging;

/// <summary>
/// packaging/kubernetes/create-secrets.sh makes every Secret the Deployment refers to, with values the
/// node accepts (a strong MASTER_KEY, a long JWT_SECRET, a node key keygen wrote and the ledger loads,
/// a TLS pair).
/// </summary>
public sealed class KubernetesSecretsTests : IDisposable
{
    internal const string ConnectionString = "Host=quantum-ledger-rw;Database=quantumedge;Username=quantumedge;Password=p;SSL Mode=Require";
    private const string BackendKey = "sk-vllm-secure-test";

    private readonly string _dir = Directory.CreateTempSubdirectory("qe-k8s-secrets-").FullName;
    private readonly KubernetesManifests _k8s = Load();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Create_secrets_makes_every_secret_the_deployment_refers_to_with_values_the_node_accepts()
    {
        var secrets = await CreateSecretsAsync(_dir);

        foreach (var (secret, key) in KubernetesManifestTests.SecretReferences(_k8s))
        {
            Assert.True(secrets.ContainsKey(secret), $"create-secrets.sh makes no Secret '{secret}'");
            Assert.True(key.Length == 0 || secrets[secret].ContainsKey(key), $"Secret '{secret}' has no key '{key}'");
        }

        var env = PodEnvironment(_k8s, secrets);
        Assert.Null(MasterKeyStrength.Problem(env["MASTER_KEY"]));
        Assert.True(Encoding.UTF8.GetByteCount(env["JWT_SECRET"]) >= 32);
        Assert.Equal(ConnectionString, env["LEDGER_CONNECTION_STRING"]);
        Assert.Equal(BackendKey, env["VLLM_SECURE_API_KEY"]);

        // The node key: what `quantumedge keygen` wrote, loadable by the ledger from the mounted files.
        var keyDir = Directory.CreateDirectory(Path.Combine(_dir, "keys")).FullName;
        foreach (var (file, bytes) in secrets["quantum-node-key"])
        {
            File.WriteAllBytes(Path.Combine(keyDir, file), bytes);
        }

        using var identity = NodeIdentity.Load(keyDir);
        using var published = NodeIdentity.LoadPublic(Path.Combine(keyDir, NodeIdentity.PublicKeyFileName));
        Assert.Equal(identity.Fingerprint, published.Fingerprint);

        var tls = secrets["quantum-router-tls"];
        using var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(tls["tls.crt"]), Encoding.ASCII.GetString(tls["tls.key"]));
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public async Task Create_secrets_refuses_without_the_connection_string_naming_it()
    {
        var (exit, _, stderr) = await RunScriptAsync(_dir, connectionString: null);

        Assert.Equal(1, exit);
        Assert.Contains("LEDGER_CONNECTION_STRING is not set", stderr, StringComparison.Ordinal);
    }

    /// <summary>The environment a pod gets: the Deployment's literal values and its secretKeyRefs resolved against <paramref name="secrets"/>.</summary>
    internal static Dictionary<string, string> PodEnvironment(KubernetesManifests k8s, Dictionary<string, Dictionary<string, byte[]>> secrets)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in List(k8s.Container, "env"))
        {
            env[Text(e, "name")] = Find(e, "valueFrom.secretKeyRef") is null
                ? Text(e, "value")
                : Encoding.UTF8.GetString(secrets[Text(e, "valueFrom.secretKeyRef.name")][Text(e, "valueFrom.secretKeyRef.key")]);
        }

        return env;
    }

    /// <summary>Runs create-secrets.sh (in <paramref name="dir"/>) and returns its Secrets: name → key → decoded value.</summary>
    internal static async Task<Dictionary<string, Dictionary<string, byte[]>>> CreateSecretsAsync(string dir)
    {
        var (exit, stdout, stderr) = await RunScriptAsync(dir, ConnectionString);
        Assert.True(exit == 0, $"create-secrets.sh exited {exit}: {stderr}");
        var secrets = new Dictionary<string, Dictionary<string, byte[]>>(StringComparer.Ordinal);
        foreach (var doc in Documents(stdout))
        {
            Assert.Equal("Secret", Text(doc, "kind"));
            Assert.Equal(Namespace, Text(doc, "metadata.namespace"));
            var name = Text(doc, "metadata.name");
            Assert.True(secrets.TryAdd(name, Map(doc, "data").Children.ToDictionary(
                p => ((YamlScalarNode)p.Key).Value!,
                p => Convert.FromBase64String(((YamlScalarNode)p.Value).Value!))), $"Secret '{name}' twice");
        }

        Assert.Equal("kubernetes.io/tls", Text(Documents(stdout).Single(d => Text(d, "metadata.name") == "quantum-router-tls"), "type"));
        return secrets;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunScriptAsync(string dir, string? connectionString)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        psi.ArgumentList.Add(Path.Combine(RepositoryRoot(), "packaging", "kubernetes", "create-secrets.sh"));
        var binary = Environment.GetEnvironmentVariable("QUANTUMEDGE_BINARY");
        psi.Environment["QUANTUMEDGE"] = binary is { Length: > 0 } ? binary : "dotnet " + Path.Combine(AppContext.BaseDirectory, "quantumedge.dll");
        psi.Environment["VLLM_SECURE_API_KEY"] = BackendKey;
        psi.Environment.Remove("LEDGER_CONNECTION_STRING");
        if (connectionString is not null)
        {
            psi.Environment["LEDGER_CONNECTION_STRING"] = connectionString;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }

        return (p.ExitCode, await stdout, await stderr);
    }
}
