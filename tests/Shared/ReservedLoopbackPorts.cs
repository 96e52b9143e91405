using System.Net;
using System.Net.Sockets;

namespace QuantumEdge.Tests.Shared;

/// <summary>
/// Loopback ports for listeners a test must name before they start (a node's API, a peer's federation
/// listener, a PostgreSQL server). Checking that a port is free and releasing it leaves a window until the
/// listener binds; tests run in parallel, in several processes, so two of them could draw the same port in
/// that window (a CI run failed that way: "address already in use"). A port handed out here is reserved for
/// <see cref="LeaseLength"/> across every test process on the machine (a file created exclusively under the
/// temporary directory) and never handed out twice by one process.
/// </summary>
/// <remarks>
/// The range sits below the ephemeral ranges (Linux 32768+, Windows and macOS 49152+), so a port-0 bind or an
/// outgoing connection never takes one of these, and above the range the node's demo draws from
/// (<c>LoopbackPorts</c>: 20000–25999), so a demo run by a test never collides with a test's ports.
/// Linked into test projects with <c>&lt;Compile Include="../Shared/ReservedLoopbackPorts.cs" /&gt;</c>.
/// </remarks>
internal static class ReservedLoopbackPorts
{
    /// <summary>The lowest port handed out.</summary>
    public const int Lowest = 26_000;

    /// <summary>One past the highest port handed out.</summary>
    public const int End = 32_000;

    /// <summary>How long another test process leaves a handed-out port alone: longer than any listener takes to bind.</summary>
    public static readonly TimeSpan LeaseLength = TimeSpan.FromMinutes(10);

    private static readonly string LeaseDirectory = Path.Combine(Path.GetTempPath(), "quantumedge-test-ports");
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>A port no listener holds now, not handed out by this process before, and not leased by another.</summary>
    public static int Take()
    {
        Directory.CreateDirectory(LeaseDirectory);
        for (var attempt = 0; attempt < 100_000; attempt++)
        {
            var port = Random.Shared.Next(Lowest, End);
            lock (HandedOut)
            {
                // A long run could in principle hand out most of the range; ports handed out long ago are bound
                // or closed by then, and the leases still guard the recent ones.
                if (HandedOut.Count > (End - Lowest) / 2)
                {
                    HandedOut.Clear();
                }

                if (!HandedOut.Add(port))
                {
                    continue;
                }
            }

            if (TryLease(port) && IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free loopback port in {Lowest}–{End - 1}: every one is bound or leased under {LeaseDirectory}");
    }

    private static bool TryLease(int port)
    {
        var path = Path.Combine(LeaseDirectory, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (TryCreate(path))
        {
            return true;
        }

        // A lease left by an earlier run (or a process that died) expires; a recent one means another process holds it.
        try
        {
            if (DateTime.UtcNow - File.GetLastWriteTimeUtc(path) <= LeaseLength)
            {
                return false;
            }

            File.Delete(path);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        return TryCreate(path);
    }

    private static bool TryCreate(string path)
    {
        try
        {
            using var lease = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
