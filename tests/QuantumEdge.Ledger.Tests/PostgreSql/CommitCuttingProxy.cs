using System.Net;
using System.Net.Sockets;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>
/// A TCP relay between the ledger and a real PostgreSQL server that can lose one COMMIT's answer:
/// once armed, it passes the next <c>COMMIT</c> to the server, waits until the server has answered it
/// (so the transaction is committed), drops the answer and resets the client's connection. The client
/// then cannot know whether its commit happened, which is the case the ledger must report as such.
/// </summary>
internal sealed class CommitCuttingProxy : IAsyncDisposable
{
    // Npgsql sends COMMIT as a simple-query message: 'Q', an int32 length counting itself (4 + 7), "COMMIT\0".
    private static readonly byte[] CommitMessage = [(byte)'Q', 0, 0, 0, 11, .. "COMMIT"u8, 0];

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _relays = [];
    private readonly Task _accepting;
    private int _armed;
    private int _cut;

    public CommitCuttingProxy(string host, int serverPort)
    {
        _server = new IPEndPoint(IPAddress.Parse(host), serverPort);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Commits whose answer was dropped so far.</summary>
    public int CommitsCut => Volatile.Read(ref _cut);

    /// <summary>The next COMMIT sent through the proxy reaches the server, but its answer never reaches the client.</summary>
    public void CutNextCommit() => Volatile.Write(ref _armed, 1);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] relays;
        lock (_relays)
        {
            relays = [.. _relays, _accepting];
        }

        try
        {
            await Task.WhenAll(relays);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Relays end by their sockets closing.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_relays)
            {
                _relays.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using (client)
        {
            try
            {
                await server.ConnectAsync(_server, _stop.Token);
                var connection = new Connection();
                var up = ClientToServerAsync(client, server, connection);
                var down = ServerToClientAsync(server, client, connection);
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // The peer went away; so does the relay.
            }
            finally
            {
                client.Close();
                server.Close();
            }
        }
    }

    private async Task ClientToServerAsync(Socket client, Socket server, Connection connection)
    {
        var buffer = new byte[64 * 1024];
        // The tail of the previous read, so that a COMMIT split across two reads is still seen.
        var carry = new byte[CommitMessage.Length - 1];
        var carried = 0;
        while (true)
        {
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return;
            }

            var window = new byte[carried + read];
            carry.AsSpan(0, carried).CopyTo(window);
            buffer.AsSpan(0, read).CopyTo(window.AsSpan(carried));
            if (window.AsSpan().IndexOf(CommitMessage) >= 0 && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                connection.CutNextAnswer = true;
            }

            carried = Math.Min(carry.Length, window.Length);
            window.AsSpan(window.Length - carried).CopyTo(carry);
            await server.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    private async Task ServerToClientAsync(Socket server, Socket client, Connection connection)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await server.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return;
            }

            if (connection.CutNextAnswer)
            {
                // The server has answered the COMMIT: it is committed. The client gets a reset instead of the answer.
                Interlocked.Increment(ref _cut);
                client.LingerState = new LingerOption(true, 0);
                return;
            }

            await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    private sealed class Connection
    {
        private volatile bool _cutNextAnswer;

        public bool CutNextAnswer
        {
            get => _cutNextAnswer;
            set => _cutNextAnswer = value;
        }
    }
}
