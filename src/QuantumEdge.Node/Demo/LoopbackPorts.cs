using System.Net;
using System.Net.Sockets;

namespace QuantumEdge.Node.Demo;

/// <summary>
/// Ports for the demo's federation and lending listeners, which must be known before the peers start.
/// Drawn below the ephemeral ranges (Linux 32768+, Windows and macOS 49152+): a port the kernel hands to
/// a socket bound to port 0 (a simulated backend, a node's API) or to an outgoing connection can then
/// never be one of these between the check here and the listener's bind.
/// </summary>
internal static class LoopbackPorts
{
    public static int BelowEphemeralRange()
    {
        while (true)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var socket = new TcpListener(IPAddress.Loopback, port);
                socket.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: draw another.
            }
        }
    }
}
