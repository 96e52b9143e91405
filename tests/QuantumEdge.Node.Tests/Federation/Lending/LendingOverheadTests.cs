using System.Diagnostics;
using System.Globalization;
using System.Net;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Tests.Hosting;
using Xunit.Abstractions;

namespace QuantumEdge.Node.Tests.Federation.Lending;

/// <summary>
/// What lending adds to a request: the same simulated backend (answering at once) reached by
/// hospital-a directly, and through hospital-b's lending endpoint. Prints the figures; asserts
/// only that every request was answered by the path it was meant to take (no wall-clock assertion).
/// </summary>
public sealed class LendingOverheadTests(ITestOutputHelper output)
{
    private const int Requests = 200;

    [Fact]
    public async Task Borrowed_and_local_requests_to_the_same_backend_are_timed_side_by_side()
    {
        await using var sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "shared", TimeScale = 0, MaxConcurrency = 64 });
        var url = new Uri(sim.BaseUrl + "/");
        await using var pair = await LendingPair.StartAsync(
            borrowerSims: [new TestNode.Sim("gpu", TestNode.OpenLevels, Url: url)],
            lenderSims: [new TestNode.Sim("gpu", TestNode.OpenLevels, Url: url)]);
        var a = pair.Borrower;
        var token = a.Token();

        var local = await TimeAsync(a, token, "gpu");
        await pair.SaturateBorrowerAsync();
        var borrowed = await TimeAsync(a, token, "peer:hospital-b");

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[measurement, in-process, loopback, shared machine] {Requests} sequential non-streamed chat requests after 20 warm-up each: "
            + $"local median {Median(local):F3} ms p90 {Percentile(local, 0.9):F3} ms; borrowed median {Median(borrowed):F3} ms p90 {Percentile(borrowed, 0.9):F3} ms; "
            + $"lending adds {Median(borrowed) - Median(local):F3} ms at the median"));
    }

    private static async Task<double[]> TimeAsync(TestNode node, string token, string expectedBackend)
    {
        var times = new double[Requests];
        for (var i = -20; i < Requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await node.Http.SendAsync(node.Chat(token, "public"));
            await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expectedBackend, response.Headers.GetValues("X-QuantumEdge-Backend").Single());
            if (i >= 0)
            {
                times[i] = elapsed;
            }
        }

        return times;
    }

    private static double Median(double[] values) => Percentile(values, 0.5);

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];
    }
}
