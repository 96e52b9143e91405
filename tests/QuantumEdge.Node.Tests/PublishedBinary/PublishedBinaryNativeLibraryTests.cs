using System.Diagnostics;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// A node copied without <c>libsodium.so</c> (the native library behind its Ed25519 key and the
/// ledger's key derivation) says so: before, <c>check-config</c> passed and every ledger command then
/// failed with "TypeInitializationException: A type initializer threw an exception".
/// </summary>
public sealed class PublishedBinaryNativeLibraryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-nosodium-").FullName;
    private readonly string _app;

    public PublishedBinaryNativeLibraryTests()
    {
        _app = Directory.CreateDirectory(Path.Combine(_dir, "app")).FullName;
        var binary = Environment.GetEnvironmentVariable("QUANTUMEDGE_BINARY");
        if (binary is { Length: > 0 })
        {
            // The published binary alone, as an operator who copied only the executable would have it (File.Copy keeps its mode).
            File.Copy(binary, Path.Combine(_app, "quantumedge"));
        }
        else
        {
            // The JIT build's assemblies without its deps.json and runtimes/ folder: native libraries are then looked for beside them only.
            foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll").Append(Path.Combine(AppContext.BaseDirectory, "quantumedge.runtimeconfig.json")))
            {
                File.Copy(file, Path.Combine(_app, Path.GetFileName(file)));
            }
        }

        Assert.Empty(Directory.EnumerateFiles(_app, "*sodium*", SearchOption.AllDirectories));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ProcessStartInfo StartInfo(params string[] args)
    {
        var psi = NodeProcess.StartInfo(args);
        if (psi.FileName == "dotnet")
        {
            psi.ArgumentList[0] = Path.Combine(_app, "quantumedge.dll");
        }
        else
        {
            psi.FileName = Path.Combine(_app, "quantumedge");
        }

        return psi;
    }

    private async Task<(int Exit, string Stderr)> RunAsync(params string[] args)
    {
        using var p = Process.Start(StartInfo(args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await stdout;
        return (p.ExitCode, await stderr);
    }

    [Fact]
    public async Task Check_config_and_the_ledger_commands_name_the_missing_library_and_where_it_belongs()
    {
        var config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(config, $"node:\n  id: no-sodium\n  data_dir: {_dir}/data\n");

        var check = await RunAsync("check-config", "--config", config);
        Assert.True(check.Exit == 1, check.Stderr);
        Assert.Contains("the native library libsodium could not be loaded", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("beside the quantumedge binary as libsodium.so", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("configuration NOT OK", check.Stderr, StringComparison.Ordinal);

        foreach (var args in new[] { new[] { "keygen", "--output-dir", Path.Combine(_dir, "keys") }, ["serve", "--config", config] })
        {
            var r = await RunAsync(args);
            Assert.True(r.Exit == 1, $"{args[0]}: exit {r.Exit}, {r.Stderr}");
            Assert.Contains("the native library libsodium could not be loaded", r.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("TypeInitializationException", r.Stderr, StringComparison.Ordinal);
        }
    }
}
