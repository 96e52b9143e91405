using System.Diagnostics;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// A data directory or ledger file the service's user cannot write is named by <c>check-config</c>
/// and stops <c>serve</c> before anything is opened. Before, <c>check-config</c> passed and
/// <c>serve</c> stopped with "UnauthorizedAccessException: Access to the path '…/ledger' is denied."
/// As root (CI) the binary runs as <c>nobody</c> through <c>setpriv</c>; otherwise as this user, with
/// the places made read-only.
/// </summary>
[Collection("published binary")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PublishedBinaryWriteAccessTests : IDisposable
{
    private const int Nobody = 65534;
    private static readonly bool IsRoot = Environment.UserName == "root";
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-writeaccess-").FullName;

    public PublishedBinaryWriteAccessTests() =>
        // The user the node runs as must reach the configuration and the data directory's parent.
        File.SetUnixFileMode(_dir, (UnixFileMode)Convert.ToInt32("755", 8));

    public void Dispose()
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Append(_dir))
        {
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(Directory.Exists(path) ? "700" : "600", 8));
        }

        Directory.Delete(_dir, recursive: true);
    }

    private string Config(string dataDir)
    {
        var path = Path.Combine(_dir, "node.yaml");
        File.WriteAllText(path, $"""
            node:
              id: write-access-node
              data_dir: {dataDir}
            server:
              urls: http://127.0.0.1:{NodeProcess.FreePort()}
              metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            backends:
              - id: sim
                url: http://127.0.0.1:9/v1
                models: [clinical-7b]
                allowed_classifications: [public]
            """);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("644", 8));
        return path;
    }

    /// <summary>Runs the node's command line as the service's user would: nobody under root, else this user.</summary>
    private static async Task<(int Exit, string Stderr)> RunAsync(params string[] args)
    {
        var node = NodeProcess.StartInfo(args);
        var psi = node;
        if (IsRoot)
        {
            psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "--", node.FileName }.Concat(node.ArgumentList))
            {
                psi.ArgumentList.Add(a);
            }

            foreach (var (k, v) in node.Environment)
            {
                psi.Environment[k] = v;
            }

            psi.Environment["HOME"] = Path.GetTempPath();
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await stdout;
        return (p.ExitCode, await stderr);
    }

    private string MakeDirectory(string name, string mode)
    {
        var path = Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));
        return path;
    }

    [Fact]
    public async Task A_data_directory_the_user_cannot_write_is_named_by_check_config_and_stops_serve_before_anything_is_written()
    {
        var data = MakeDirectory("data", IsRoot ? "755" : "555");
        var config = Config(data);

        var check = await RunAsync("check-config", "--config", config);
        var serve = await RunAsync("serve", "--config", config);

        Assert.Equal(2, check.Exit);
        Assert.Contains($"configuration error at 'node.data_dir': '{data}' is not writable by user", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("configuration NOT OK", check.Stderr, StringComparison.Ordinal);
        // The ledger's default place under it is not named a second time.
        Assert.DoesNotContain("would be created", check.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, serve.Exit);
        Assert.Contains($"'{data}' is not writable by user", serve.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("UnauthorizedAccessException", serve.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data));
    }

    [Fact]
    public async Task A_ledger_file_left_by_another_user_is_named_and_a_writable_data_directory_passes()
    {
        var data = MakeDirectory("data", "777");
        var config = Config(data);
        var ledger = MakeDirectory(Path.Combine("data", "ledger"), "777");
        // A volume mounted as the ledger's directory brings a lost+found the node cannot enter: not the node's.
        MakeDirectory(Path.Combine("data", "ledger", "lost+found"), "700");
        var ok = await RunAsync("check-config", "--config", config);
        var file = Path.Combine(ledger, "ledger.db");
        await File.WriteAllTextAsync(file, "");
        // Owned by root with 0600 (a run as root), or read-only for its own user.
        File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32(IsRoot ? "600" : "400", 8));

        var check = await RunAsync("check-config", "--config", config);

        Assert.True(ok.Exit == 0, ok.Stderr);
        Assert.Equal(2, check.Exit);
        Assert.Contains($"configuration error at 'node.data_dir': '{file}' cannot be read and written by user", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ledger_directory_the_user_can_write_but_not_list_is_named_not_thrown()
    {
        var data = MakeDirectory("data", "777");
        var ledger = MakeDirectory(Path.Combine("data", "ledger"), IsRoot ? "733" : "300");

        var check = await RunAsync("check-config", "--config", Config(data));

        Assert.Equal(2, check.Exit);
        Assert.Contains($"configuration error at 'node.data_dir': '{ledger}' is not readable and writable by user", check.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_data_directory_is_judged_by_where_it_would_be_created()
    {
        var parent = MakeDirectory("locked", IsRoot ? "755" : "555");
        var config = Config(Path.Combine(parent, "data"));

        var check = await RunAsync("check-config", "--config", config);

        Assert.Equal(2, check.Exit);
        Assert.Contains($"'{parent}' (where '{Path.Combine(parent, "data")}' would be created) is not writable by user", check.Stderr, StringComparison.Ordinal);
    }
}
