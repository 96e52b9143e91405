using System.Net;
using System.Net.Sockets;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Whom an unauthenticated refusal is counted against (<see cref="UnauthenticatedRefusals"/>): an IPv4
/// address as it is, an IPv6 address by its /64 network. One IPv6 host holds a whole /64, so counting
/// its addresses one by one would let it take a fresh allowance with every request.
/// </summary>
public static class RefusalSource
{
    /// <summary>The key for <paramref name="address"/>: <c>10.0.0.7</c>, <c>2001:db8:1:2::/64</c>, or <c>(unknown)</c>.</summary>
    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return "(unknown)";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }
}
