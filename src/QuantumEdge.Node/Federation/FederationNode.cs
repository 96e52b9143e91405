using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Prometheus;
using QuantumEdge.Federation;
using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Http;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Federation;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Ledger;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Federation;

/// <summary>
/// This node's federation membership, composed from the <c>federation</c> block: the member (its
/// state under <c>&lt;node.data_dir&gt;/federation</c>), its own listener (a separate Kestrel app on
/// <c>listen_url</c> serving the protocol's four endpoints), the gossip/publish loop, the
/// observation gate on the request path and the metrics.
/// </summary>
internal sealed class FederationNode : IAsyncDisposable
{
    private readonly WebApplication _listener;
    private readonly HttpClient _client;

    private FederationNode(FederationMember member, FederationEndpoints endpoints, WebApplication listener, HttpClient client,
        GossipEngine engine, FederationObservationGate gate)
    {
        Member = member;
        Endpoints = endpoints;
        _listener = listener;
        _client = client;
        Engine = engine;
        ObservationGate = gate;
    }

    public FederationMember Member { get; }
    public FederationEndpoints Endpoints { get; }
    public GossipEngine Engine { get; }
    /// <summary>The request-outcome hook that records observations for the DP releases.</summary>
    public FederationObservationGate ObservationGate { get; }
    /// <summary>Capacity lending (both roles), composed by <see cref="LendingNode.Create"/>.</summary>
    internal LendingNode? LendingNode { get; set; }
    /// <summary>The listener's base address once started.</summary>
    public string ListenAddress { get; private set; } = "";

    /// <summary>Where a node keeps its federation state files.</summary>
    public static string DataDirectory(NodeConfiguration config) => Path.Combine(Path.GetFullPath(config.Node.DataDir), "federation");

    /// <summary>The member options the <c>federation</c> block maps onto.</summary>
    public static FederationMemberOptions Options(NodeConfiguration config)
    {
        var f = config.Federation;
        return new FederationMemberOptions
        {
            NodeId = config.Node.Id,
            FederationId = f.FederationId,
            DataDirectory = DataDirectory(config),
            Peers = f.Peers.Select(p => new TrustedPeer(p.Id, p.PublicKeyBytes, p.Url)).ToList(),
            Privacy = new DpReleaseOptions
            {
                EpsilonPerRelease = f.EpsilonPerRelease,
                MaxEpsilonPerDay = f.MaxEpsilonPerDay,
                Models = f.Models,
                Categories = f.Categories,
            },
        };
    }

    /// <summary>The lending offer published in envelopes (the request path does not lend yet).</summary>
    public static LendingOffer Lending(NodeConfiguration config) =>
        new(config.Federation.Lending.Offer, config.Federation.Lending.MaxConcurrencyPerPeer,
            config.Federation.Lending.Offer ? config.Federation.Models : []);

    internal static FederationNode Create(NodeConfiguration config, IPrivacyLedger ledger, CollectorRegistry registry, GossipOptions? gossip)
    {
        var signer = new NodeIdentitySigner(ledger.NodeIdentity);
        var member = FederationMember.Open(Options(config), signer);
        var endpoints = new FederationEndpoints(member);
        var handler = PeerHttpHandler.Factory(config.Federation)();
        var client = new HttpClient(handler);
        var requests = new FederationRequestSigner(config.Node.Id, config.Federation.FederationId, signer, member.Clock);
        gossip ??= new GossipOptions { Interval = TimeSpan.FromSeconds(config.Federation.GossipIntervalSeconds) };
        var engine = new GossipEngine(member, new HttpFederationTransport(client, requestSigner: requests), gossip);
        _ = new FederationMetrics(registry, member, engine);
        var listener = BuildListener(config, endpoints);
        return new FederationNode(member, endpoints, listener, client, engine, new FederationObservationGate(member.Observations));
    }

    /// <summary>Adds an endpoint to the federation listener (before it starts).</summary>
    internal void MapPost(string path, RequestDelegate handler) => _listener.MapPost(path, handler);

    internal FederationLoop CreateLoop(IPrivacyLedger ledger, NodeConfiguration config, ILogger<FederationLoop> logger) =>
        new(Member, Engine, ledger, Lending(config), TimeSpan.FromSeconds(config.Federation.ReleaseIntervalSeconds), logger);

    internal async Task StartAsync(CancellationToken ct)
    {
        await _listener.StartAsync(ct).ConfigureAwait(false);
        ListenAddress = _listener.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _listener.StopAsync().ConfigureAwait(false);
        await _listener.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
    }

    private static WebApplication BuildListener(NodeConfiguration config, FederationEndpoints endpoints)
    {
        var builder = QuantumEdge.Gateway.Hosting.SlimHostDefaults.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(config.Federation.ListenUrl);
        if (ServerSettings.IsHttps(config.Federation.ListenUrl) && config.Server.Tls is { } tls)
        {
            TlsListeners.Use(builder.WebHost, new ReloadingCertificate(tls));
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = endpoints.MaxRequestBytes + 1L;
        });
        var app = builder.Build();
        app.MapPost("/federation/v1/envelopes", async ctx =>
        {
            if (ctx.Request.ContentLength is { } declared && declared > endpoints.MaxRequestBytes)
            {
                // Kestrel would refuse it with a bare 413 at the first read; answer with the protocol's
                // named reason instead, and close rather than read and discard what was declared.
                ctx.Response.Headers.Connection = "close";
                await WriteAsync(ctx, endpoints.PostOversized(declared)).ConfigureAwait(false);
                return;
            }

            byte[] body;
            try
            {
                body = await ReadBoundedAsync(ctx.Request.Body, endpoints.MaxRequestBytes + 1, ctx.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                // A chunked body running past Kestrel's limit: the same named answer.
                ctx.Response.Headers.Connection = "close";
                await WriteAsync(ctx, endpoints.PostOversized(null)).ConfigureAwait(false);
                return;
            }
            catch (IOException e) when (RequestBodyFailure.Translate(e, ctx.RequestAborted) is { } error)
            {
                // Cut short, too slow or framed wrongly: the peer's fault, answered in the protocol's error shape.
                ctx.Response.Headers.Connection = "close";
                await WriteAsync(ctx, endpoints.PostUnreadable(error.Message)).ConfigureAwait(false);
                return;
            }

            await WriteAsync(ctx, endpoints.PostEnvelope(body)).ConfigureAwait(false);
        });
        // Reads answer trusted peers only: a request signed by a node on the trust list.
        app.MapGet("/federation/v1/envelopes", ctx => WriteAsync(ctx, Authenticate(ctx, endpoints) ?? RefuseRepeated(ctx)
            ?? endpoints.GetEnvelopes(Query(ctx, "origin"), Query(ctx, "after_seq"), Query(ctx, "epoch"))));
        app.MapGet("/federation/v1/digest", ctx => WriteAsync(ctx, Authenticate(ctx, endpoints) ?? RefuseRepeated(ctx) ?? endpoints.GetDigest(Query(ctx, "for"))));
        app.MapGet("/federation/v1/status", ctx => WriteAsync(ctx, Authenticate(ctx, endpoints) ?? endpoints.GetStatus()));
        return app;
    }

    private static FederationResponse? Authenticate(HttpContext ctx, FederationEndpoints endpoints) =>
        endpoints.Authenticate(ctx.Request.Method, ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget,
            name => ctx.Request.Headers.TryGetValue(name, out var v) && v.Count == 1 ? v[0] : null);

    /// <summary>A parameter given twice is named as such, not read as absent and refused as malformed.</summary>
    private static FederationResponse? RefuseRepeated(HttpContext ctx) =>
        Hosting.RepeatedQueryParameters.Repeated(ctx.Request.Query) is { } repeated ? FederationEndpoints.RepeatedQuery(repeated.Name, repeated.Count) : null;

    private static string? Query(HttpContext ctx, string name) =>
        ctx.Request.Query.TryGetValue(name, out var v) && v.Count == 1 ? v[0] : null;

    /// <summary>Reads at most <paramref name="limit"/> bytes: a longer body is cut there, and the intake refuses it as too_large.</summary>
    private static async Task<byte[]> ReadBoundedAsync(Stream body, int limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while (buffer.Length < limit && (read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit - buffer.Length)), ct).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static async Task WriteAsync(HttpContext ctx, FederationResponse response)
    {
        ctx.Response.StatusCode = response.Status;
        ctx.Response.ContentType = FederationResponse.ContentType;
        ctx.Response.ContentLength = response.Body.Length;
        await ctx.Response.Body.WriteAsync(response.Body, ctx.RequestAborted).ConfigureAwait(false);
    }
}
