using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace QuantumEdge.Node.Hosting.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram per state change to the Unix socket named by
/// <c>NOTIFY_SOCKET</c> (a path, or <c>@name</c> in the abstract namespace). Keyed on the variable
/// rather than on the parent process being systemd, so that it also works under a test harness and
/// needs no read of <c>/proc</c>.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endpoint;
    private readonly Lock _send = new();

    private SystemdNotifier(string address)
    {
        // A leading '@' names an abstract socket, which the kernel spells with a NUL byte.
        _endpoint = new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public string Address => _endpoint.ToString();

    /// <summary>A notifier for <c>NOTIFY_SOCKET</c>, or null when the node does not run under a service manager.</summary>
    public static SystemdNotifier? FromEnvironment(Func<string, string?> environment)
    {
        var address = environment("NOTIFY_SOCKET");
        return address is { Length: > 1 } && (address[0] is '/' or '@') ? new SystemdNotifier(address) : null;
    }

    /// <summary>
    /// The watchdog interval systemd asked for (<c>WATCHDOG_USEC</c>), or null when there is none or
    /// it is meant for another process (<c>WATCHDOG_PID</c>).
    /// </summary>
    public static TimeSpan? WatchdogInterval(Func<string, string?> environment, int processId)
    {
        if (environment("WATCHDOG_PID") is { Length: > 0 } pid
            && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var owner) || owner != processId))
        {
            return null;
        }

        return long.TryParse(environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }

    /// <summary>Sends one state (e.g. <c>READY=1</c>); false when the manager's socket is gone.</summary>
    public bool Notify(string state)
    {
        var bytes = Encoding.UTF8.GetBytes(state);
        lock (_send)
        {
            try
            {
                _socket.SendTo(bytes, SocketFlags.None, _endpoint);
                return true;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The manager went away or the node is stopping: nothing to tell, nothing to retry.
                return false;
            }
        }
    }

    public void Dispose()
    {
        lock (_send)
        {
            _socket.Dispose();
        }
    }
}
