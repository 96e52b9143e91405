using System.Net.Sockets;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// Talks to a running node over its local admin socket. When no node runs (no socket, or nobody
/// listening), <see cref="TryCreate"/> returns null and the verb opens the ledger itself.
/// </summary>
internal sealed class LocalAdminClient : IDisposable
{
    private readonly HttpClient _http;

    private LocalAdminClient(string socketPath)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = new Uri("http://localhost"),
            Timeout = TimeSpan.FromMinutes(30),
        };
    }

    public static LocalAdminClient? TryCreate(NodeConfiguration config)
    {
        var path = LocalAdminServer.SocketFor(config);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            return null;
        }

        return new LocalAdminClient(path);
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, CancellationToken ct) =>
        _http.SendAsync(new HttpRequestMessage(method, pathAndQuery), HttpCompletionOption.ResponseHeadersRead, ct);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content, CancellationToken ct) =>
        _http.SendAsync(new HttpRequestMessage(method, pathAndQuery) { Content = content }, HttpCompletionOption.ResponseHeadersRead, ct);

    public void Dispose() => _http.Dispose();
}
