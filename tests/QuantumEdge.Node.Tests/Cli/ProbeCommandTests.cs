using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Tests.PublishedBinary;

namespace QuantumEdge.Node.Tests.Cli;

/// <summary>
/// <c>quantumedge probe</c>, the container image's health check (it has no shell or curl): exit 0
/// only for a 2xx answer, 1 for any other status or no answer, 2 for a bad argument.
/// </summary>
public sealed class ProbeCommandTests : IAsyncLifetime
{
    private SimulatedBackend _sim = null!;

    public async Task InitializeAsync() =>
        _sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "sim", TimeScale = 0 });

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task A_2xx_answer_exits_0_and_prints_the_status()
    {
        var result = await QuantumEdgeProcess.RunAsync(["probe", $"{_sim.Address}/health"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("200 OK", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_404_exits_1()
    {
        var result = await QuantumEdgeProcess.RunAsync(["probe", $"{_sim.Address}/no-such-path"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("404", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_port_exits_1_naming_the_url()
    {
        var url = $"http://127.0.0.1:{NodeProcess.FreePort()}/health/live";
        var result = await QuantumEdgeProcess.RunAsync(["probe", url, "--timeout-seconds", "10"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(url, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/health", "url")]
    [InlineData("not a url", "url")]
    public async Task A_bad_url_exits_2_naming_it(string url, string named)
    {
        var result = await QuantumEdgeProcess.RunAsync(["probe", url]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"'{named}'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_timeout_exits_2_naming_it()
    {
        var result = await QuantumEdgeProcess.RunAsync(["probe", $"{_sim.Address}/health", "--timeout-seconds", "0"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'--timeout-seconds'", result.Stderr, StringComparison.Ordinal);
    }
}
