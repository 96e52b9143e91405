using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace QuantumEdge.Gateway.Benchmarks.Hosting;

/// <summary>
/// The baseline the gateway is compared with: a bare YARP reverse proxy in front of the same
/// simulated backend, in the same process (or alone, <see cref="YarpServeMode"/>), doing nothing but
/// forwarding (no auth, no JSON rewrite, no planner, no audit). What the node costs beyond it is what its features cost.
/// </summary>
internal sealed class BareYarpProxy : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BareYarpProxy(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Base address, e.g. <c>http://127.0.0.1:41234</c>; the backend's paths pass through unchanged.</summary>
    public string Address { get; }

    /// <param name="backendAddress">Where every request is forwarded, paths unchanged.</param>
    /// <param name="listenUrl">Kestrel URL to listen on; the default takes a free loopback port.</param>
    public static async Task<BareYarpProxy> StartAsync(string backendAddress, string listenUrl = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(listenUrl);
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "sim", Match = new RouteMatch { Path = "{**catch-all}" } }],
            [new ClusterConfig
            {
                ClusterId = "sim",
                Destinations = new Dictionary<string, DestinationConfig> { ["sim"] = new() { Address = backendAddress } },
            }]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new BareYarpProxy(app, address);
    }

    /// <summary>Completes when the host is told to stop (SIGTERM, SIGINT).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
