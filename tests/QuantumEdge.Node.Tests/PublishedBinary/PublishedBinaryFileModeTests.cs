using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// Under <c>umask 000</c> the node still creates its data, ledger and key directories 0700, its
/// ledger files and admin socket 0600 and the public key 0644; the admin socket's backup refuses a
/// non-empty directory like the CLI (issue 7, finding 6).
/// </summary>
[Collection("published binary")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PublishedBinaryFileModeTests : IAsyncLifetime
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDir = Private | UnixFileMode.UserExecute;
    private const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-pbm-" + Guid.NewGuid().ToString("N")[..12]);
    private string _config = "";
    private string _api = "";

    private string DataDir => Path.Combine(_dir, "data");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        _config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(_config, $"""
            node:
              data_dir: {DataDir}
            server:
              urls: {_api}
              metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            """);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The executable run by <c>bash -c 'umask 000; exec …'</c>.</summary>
    private static ProcessStartInfo UnderUmask000(params string[] args)
    {
        var inner = NodeProcess.StartInfo(args);
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-c", "umask 000; exec \"$@\"", "bash", inner.FileName, .. inner.ArgumentList])
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Clear();
        foreach (var (key, value) in inner.Environment)
        {
            psi.Environment[key] = value;
        }

        return psi;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void AssertMode(UnixFileMode expected, string path) =>
        Assert.True(File.GetUnixFileMode(path) == expected, $"{path}: {File.GetUnixFileMode(path)}, expected {expected}");

    [Fact]
    public async Task Modes_are_set_explicitly_whatever_the_umask_and_the_socket_backup_refuses_a_non_empty_directory()
    {
        using var node = Process.Start(UnderUmask000("serve", "--config", _config))!;
        node.OutputDataReceived += (_, _) => { };
        node.ErrorDataReceived += (_, _) => { };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        try
        {
            var socketPath = Path.Combine(DataDir, "admin.sock");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var ready = false;
            while (!ready && DateTime.UtcNow < deadline && !node.HasExited)
            {
                try
                {
                    using var health = await http.GetAsync(_api + "/health");
                    ready = File.Exists(socketPath);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }

                await Task.Delay(20);
            }

            Assert.True(ready, "the node did not start");
            var ledger = Path.Combine(DataDir, "ledger");
            AssertMode(PrivateDir, DataDir);
            AssertMode(PrivateDir, ledger);
            AssertMode(Private, Path.Combine(ledger, "ledger.db"));
            AssertMode(Private, Path.Combine(ledger, "ledger.head"));
            AssertMode(Private, Path.Combine(ledger, "ledger.lock"));
            AssertMode(PrivateDir, Path.Combine(ledger, "keys"));
            AssertMode(Private, Path.Combine(ledger, "keys", "quantum_private.pem"));
            AssertMode(Public, Path.Combine(ledger, "keys", "quantum_public.pem"));
            AssertMode(Private, socketPath);

            // The admin socket applies the CLI's check: a non-empty target is refused and left alone.
            var busy = Path.Combine(_dir, "busy");
            Directory.CreateDirectory(busy);
            await File.WriteAllTextAsync(Path.Combine(busy, "notes.txt"), "keep me");
            using (var admin = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            }) { BaseAddress = new Uri("http://localhost") })
            {
                using var refused = await admin.PostAsync("/local/backup?out=" + Uri.EscapeDataString(busy), null);
                Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                Assert.Contains("not empty", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(busy).Select(Path.GetFileName));

                // Nor may a backup go inside the ledger's own directory, which it would be lost with.
                var inside = Path.Combine(ledger, "backup");
                using var insideRefused = await admin.PostAsync("/local/backup?out=" + Uri.EscapeDataString(inside), null);
                Assert.Equal(HttpStatusCode.BadRequest, insideRefused.StatusCode);
                Assert.Contains("inside the ledger's directory", await insideRefused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.False(Directory.Exists(inside));
            }

            // A backup the running node writes, asked for under umask 000, is private too.
            var backup = Path.Combine(_dir, "backup");
            using (var cli = Process.Start(UnderUmask000("backup", "--out", backup, "--config", _config))!)
            {
                var output = cli.StandardOutput.ReadToEndAsync();
                var errors = cli.StandardError.ReadToEndAsync();
                await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(cli.ExitCode == 0, await output + await errors);
            }

            AssertMode(PrivateDir, backup);
            AssertMode(Private, Path.Combine(backup, "ledger.db"));
            AssertMode(Private, Path.Combine(backup, "ledger.head"));
            AssertMode(Private, Path.Combine(backup, "manifest.json"));
            AssertMode(Public, Path.Combine(backup, "quantum_public.pem"));
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill(true);
                await node.WaitForExitAsync();
            }
        }
    }
}
