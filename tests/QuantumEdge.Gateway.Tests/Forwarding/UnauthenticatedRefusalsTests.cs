using System.Globalization;
using System.Net;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>The individual audit records of unauthenticated refusals stay bounded however many addresses a caller holds.</summary>
public sealed class UnauthenticatedRefusalsTests
{
    [Fact]
    public void Many_addresses_together_get_no_more_individual_records_than_the_allowance_across_all_and_it_renews_each_interval()
    {
        var time = new MovableClock();
        var refusals = new UnauthenticatedRefusals(new GatewayMetrics(Prometheus.Metrics.NewCustomRegistry()), time, TimeSpan.FromMinutes(1));
        var addresses = (UnauthenticatedRefusals.MaxIndividualPerInterval / UnauthenticatedRefusals.IndividualPerInterval) + 50;

        int Audited() => Enumerable.Range(0, addresses).Sum(i => Enumerable.Range(0, UnauthenticatedRefusals.IndividualPerInterval)
            .Count(j => refusals.Note(string.Create(CultureInfo.InvariantCulture, $"10.1.{i >> 8}.{i & 255}"), "POST /admin/halt", out _)));

        Assert.Equal(UnauthenticatedRefusals.MaxIndividualPerInterval, Audited());
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(UnauthenticatedRefusals.MaxIndividualPerInterval, Audited());
    }

    [Fact]
    public void Addresses_of_one_IPv6_64_share_one_allowance()
    {
        var refusals = new UnauthenticatedRefusals(new GatewayMetrics(Prometheus.Metrics.NewCustomRegistry()), TimeProvider.System, TimeSpan.FromMinutes(1));

        var audited = Enumerable.Range(1, 100).Count(i =>
            refusals.Note(RefusalSource.Of(IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"2001:db8:1:2::{i:x}"))), "POST /v1/chat/completions", out _));

        Assert.Equal(UnauthenticatedRefusals.IndividualPerInterval, audited);
        var summary = Assert.Single(refusals.TakeEnded(all: true));
        Assert.Equal("2001:db8:1:2::/64", summary.Address);
        Assert.Equal(100 - UnauthenticatedRefusals.IndividualPerInterval, summary.Suppressed);
    }

    [Theory]
    [InlineData("10.0.0.7", "10.0.0.7")]
    [InlineData("::ffff:10.0.0.7", "10.0.0.7")]
    [InlineData("::1", "::1")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    public void A_source_is_an_IPv4_address_or_an_IPv6_64(string address, string expected) =>
        Assert.Equal(expected, RefusalSource.Of(IPAddress.Parse(address)));

    [Fact]
    public void An_unknown_source_has_one_key() => Assert.Equal("(unknown)", RefusalSource.Of(null));

    private sealed class MovableClock : TimeProvider
    {
        private TimeSpan _offset;

        public void Advance(TimeSpan by) => _offset += by;

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
    }
}
