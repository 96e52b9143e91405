using System.Net.Sockets;
using System.Text;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// The executable under a stand-in for systemd: a Unix datagram socket the test binds and names in
/// <c>NOTIFY_SOCKET</c> receives <c>READY=1</c> once the node serves, <c>WATCHDOG=1</c> pings while
/// <c>WATCHDOG_USEC</c> is set, and <c>STOPPING=1</c> on SIGTERM.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinarySystemdTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-sd-").FullName;

    [Fact]
    public async Task Notify_socket_gets_ready_then_watchdog_pings_then_stopping()
    {
        var socketPath = Path.Combine(_dir, "notify.sock");
        using var manager = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        manager.Bind(new UnixDomainSocketEndPoint(socketPath));
        var api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        var config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(config, $"""
            node:
              data_dir: {_dir}/data
            server:
              urls: {api}
              metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            """);

        var received = new List<string>();
        await using var node = await NodeProcess.StartAsync(config, api, environment: new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = socketPath,
            // 2 s: a ping every second, each after the ledger writer and GET /health/live answered.
            ["WATCHDOG_USEC"] = "2000000",
        });
        await ReceiveUntil(manager, received, () => received.Count(m => m == "WATCHDOG=1") >= 2, node);
        var ready = received.FindIndex(m => m.StartsWith("READY=1\n", StringComparison.Ordinal) || m == "READY=1");
        Assert.True(ready >= 0, "no READY=1 in: " + string.Join(" | ", received));
        Assert.True(ready < received.IndexOf("WATCHDOG=1"), "a watchdog ping came before READY=1");

        Assert.Equal(0, await node.StopAsync());
        await ReceiveUntil(manager, received, () => received.Contains("STOPPING=1"), node);
    }

    [Fact]
    public async Task Without_WATCHDOG_USEC_the_node_only_reports_ready()
    {
        var socketPath = Path.Combine(_dir, "notify.sock");
        using var manager = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        manager.Bind(new UnixDomainSocketEndPoint(socketPath));
        var api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        var config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(config, $"""
            node:
              data_dir: {_dir}/data
            server:
              urls: {api}
              metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            """);

        var received = new List<string>();
        await using var node = await NodeProcess.StartAsync(config, api, environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath });
        await ReceiveUntil(manager, received, () => received.Exists(m => m.StartsWith("READY=1", StringComparison.Ordinal)), node);
        Assert.Equal(0, await node.StopAsync());
        await ReceiveUntil(manager, received, () => received.Contains("STOPPING=1"), node);
        Assert.DoesNotContain("WATCHDOG=1", received);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task ReceiveUntil(Socket socket, List<string> received, Func<bool> done, NodeProcess node)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        while (!done())
        {
            try
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                received.Add(Encoding.UTF8.GetString(buffer, 0, n));
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("the notify socket got only: " + string.Join(" | ", received) + "\nnode output:\n" + string.Join('\n', node.Output));
            }
        }
    }
}
