using QuantumEdge.Node.Demo;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Node.Tests.Demo;

public sealed class LoopbackPortsTests
{
    [Fact]
    public void One_process_never_hands_out_the_same_port_twice()
    {
        // 2,000 draws from 6,000 ports collide almost surely unless the picker remembers what it handed out.
        var ports = Enumerable.Range(0, 2_000).Select(_ => LoopbackPorts.BelowEphemeralRange()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, LoopbackPorts.Lowest, LoopbackPorts.End - 1));
    }

    [Fact]
    public void The_tests_reserve_ports_outside_the_demos_range_and_lease_each_one()
    {
        Assert.True(ReservedLoopbackPorts.Lowest >= LoopbackPorts.End, "a demo run by a test could draw a port a test has drawn and not yet bound");
        Assert.True(ReservedLoopbackPorts.End <= 32_768, "the tests' ports must stay below Linux's ephemeral range");

        var ports = Enumerable.Range(0, 300).Select(_ => ReservedLoopbackPorts.Take()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        foreach (var port in ports)
        {
            var lease = Path.Combine(Path.GetTempPath(), "quantumedge-test-ports", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(DateTime.UtcNow - File.GetLastWriteTimeUtc(lease) < ReservedLoopbackPorts.LeaseLength, $"port {port} has no current lease at {lease}");
        }
    }
}
