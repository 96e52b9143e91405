using QuantumEdge.Federation.Lending;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Lending;

/// <summary>
/// The borrower's side of capacity lending (<c>federation.lending.borrow</c>). Every configured
/// peer with a URL becomes a borrowed backend (<c>peer:&lt;id&gt;</c>) in the registry, with its own
/// circuit and at most <c>max_concurrency_per_peer</c> requests in flight; it is a candidate only
/// while that peer's latest valid envelope offers lending of the model. The request path asks
/// <see cref="Spill"/> on every attempt: borrowed backends are offered to the planner only for
/// public and internal requests (a rule in code, not config) and only when no local permitted
/// backend has a free slot (all saturated, unhealthy, open-circuited or already tried), so a
/// hospital's own capacity always comes first and lending absorbs the overflow.
/// </summary>
public sealed class BorrowedCapacity
{
    private readonly BackendRegistry _registry;
    private readonly LendingOfferBook _offers;

    private BorrowedCapacity(BackendRegistry registry, LendingOfferBook offers)
    {
        _registry = registry;
        _offers = offers;
    }

    /// <summary>Adds a borrowed backend for every peer with a URL to <paramref name="registry"/>.</summary>
    /// <param name="config">The node's configuration (peers, lending limits, local timeouts).</param>
    /// <param name="registry">The node's backends; the borrowed ones join it apart from the configured ones.</param>
    /// <param name="signer">Signs lending requests with this node's key.</param>
    /// <param name="offers">The peers' latest lending offers.</param>
    /// <param name="counters">Lending figures.</param>
    /// <param name="handler">The HTTP handler under the signing one (null: the peer handler, with <c>federation.peer_ca_file</c> trust).</param>
    public static BorrowedCapacity Create(NodeConfiguration config, BackendRegistry registry, LendingRequestSigner signer, LendingOfferBook offers,
        LendingCounters counters, Func<HttpMessageHandler>? handler = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(registry);
        var models = registry.Models.ToList();
        var timeout = registry.All.Count == 0 ? 60 : registry.All.Max(b => b.Settings.TimeoutSeconds);
        var maxAnswer = registry.All.Count == 0 ? BackendSettings.DefaultMaxAnswerSeconds : registry.All.Max(b => b.Settings.MaxAnswerSeconds);
        // The same trust as gossip: a peer's listener certificate may chain to federation.peer_ca_file.
        var peerHandler = handler ?? Federation.PeerHttpHandler.Factory(config.Federation);
        foreach (var peer in config.Federation.Peers)
        {
            if (peer.Url is null)
            {
                continue;
            }

            var settings = new BackendSettings
            {
                Id = "peer:" + peer.Id,
                Url = new Uri(peer.Url, LendingRequest.PathPrefix),
                Models = models,
                MaxConcurrency = config.Federation.Lending.MaxConcurrencyPerPeer,
                AllowedClassifications = [DataClassification.Internal, DataClassification.Public],
                TimeoutSeconds = timeout,
                MaxAnswerSeconds = maxAnswer,
                LendingPeer = peer.Id,
            };
            var inner = peerHandler();
            registry.AddBorrowed(new Backend(settings, TimeSpan.FromSeconds(config.Server.CircuitBreakSeconds)),
                new BackendTransport(settings, new BorrowingHandler(peer.Id, signer, counters) { InnerHandler = inner }));
        }

        return new BorrowedCapacity(registry, offers);
    }

    /// <summary>
    /// The borrowed backends to offer the planner instead of <paramref name="local"/>, or null to
    /// stay local: null for anything but public/internal data, while a local candidate has a free
    /// slot, and when no peer currently offers the model with room left.
    /// </summary>
    /// <param name="model">The requested model.</param>
    /// <param name="classification">The request's final data class (after the PHI screen).</param>
    /// <param name="local">The local permitted backends still worth trying (healthy, circuit closed, untried).</param>
    /// <param name="tried">Backends this request already tried.</param>
    public List<Backend>? Spill(string model, DataClassification classification, IReadOnlyList<Backend> local, IReadOnlySet<Backend> tried)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(tried);
        if (!LendingPolicy.IsLendable(classification) || local.Any(b => b.InFlight < b.Settings.MaxConcurrency))
        {
            return null;
        }

        List<Backend>? result = null;
        foreach (var backend in _registry.Borrowed)
        {
            if (!tried.Contains(backend) && backend.Permits(classification) && backend.Healthy && !backend.CircuitOpen
                && _offers.Offering(backend.Settings.LendingPeer!, model) is { } offer
                && backend.InFlight < Math.Min(offer.MaxConcurrencyPerPeer, backend.Settings.MaxConcurrency))
            {
                (result ??= []).Add(backend);
            }
        }

        return result;
    }
}
