using System.Net;
using System.Net.Sockets;

namespace QuantumEdge.Node.Demo;

/// <summary>
/// Ports for the demo's federation and lending listeners, which must be known before the peers start.
/// Drawn below the ephemeral ranges (Linux 32768+, Windows and macOS 49152+): a port the kernel hands to
/// a socket bound to port 0 (a simulated backend, a node's API) or to an outgoing connection can then
/// never be one of these between the check here and the listener's bind. One process never hands out the
/// same port twice, so two members of one demo cannot be given the same port while neither has bound it.
/// </summary>
/// <remarks>
/// The tests keep to the range above this one (26000–31999) for the ports they name, so a demo run by a
/// test cannot draw a port a test has drawn and not yet bound.
/// </remarks>
internal static class LoopbackPorts
{
    internal const int Lowest = 20_000;
    internal const int End = 26_000;

    private static readonly HashSet<int> HandedOut = [];

    public static int BelowEphemeralRange()
    {
        while (true)
        {
            var port = Random.Shared.Next(Lowest, End);
            lock (HandedOut)
            {
                if (HandedOut.Count > (End - Lowest) / 2)
                {
                    HandedOut.Clear();
                }

                if (!HandedOut.Add(port))
                {
                    continue;
                }
            }

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
