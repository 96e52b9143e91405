using Prometheus;
using QuantumEdge.Federation.Lending;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Lending;
using QuantumEdge.Ledger;

namespace QuantumEdge.Node.Federation;

/// <summary>
/// Capacity lending on a federated node, both roles (<c>federation.lending</c>): the peers' offers
/// read from accepted envelopes, the borrowed backends (when <c>borrow</c>), the lending endpoints
/// on the federation listener (always mapped; they refuse with 403 lending_not_offered unless
/// <c>offer</c>), and the metrics.
/// </summary>
internal sealed class LendingNode
{
    private readonly FederationNode _federation;
    private readonly NodeConfiguration _config;

    private LendingNode(FederationNode federation, NodeConfiguration config, LendingOfferBook offers, BorrowedCapacity? borrowing, LendingCounters counters)
    {
        _federation = federation;
        _config = config;
        Offers = offers;
        Borrowing = borrowing;
        Counters = counters;
    }

    public LendingCounters Counters { get; }
    public LendingOfferBook Offers { get; }
    /// <summary>The borrowed backends, when <c>lending.borrow</c>.</summary>
    public BorrowedCapacity? Borrowing { get; }
    /// <summary>Lent requests running here per borrowing peer.</summary>
    public PeerConcurrency Concurrency { get; private set; } = new(1);
    public LendingReplayWindow Replays { get; } = new(LendingRequestVerifier.DefaultSkew);
    /// <summary>Carries <see cref="Replays"/> across restarts, when this node lends (<c>lending.offer</c>).</summary>
    public LendingReplayHistory? ReplayHistory { get; private set; }

    public static LendingNode Create(FederationNode federation, NodeConfiguration config, IPrivacyLedger ledger, BackendRegistry backends, CollectorRegistry registry)
    {
        var member = federation.Member;
        var offers = new LendingOfferBook(member.Clock, IsQuarantined(federation));
        member.Intake.Accepted += offers.Record;
        var counters = new LendingCounters();
        var borrowing = config.Federation.Lending.Borrow
            ? BorrowedCapacity.Create(config, backends,
                new LendingRequestSigner(new NodeIdentitySigner(ledger.NodeIdentity), member.NodeId, member.Options.FederationId, member.Clock), offers, counters)
            : null;
        var node = new LendingNode(federation, config, offers, borrowing, counters);
        _ = new LendingMetrics(registry, counters);
        federation.LendingNode = node;
        return node;
    }

    /// <summary>Maps the lending endpoints onto the federation listener, served by the API host's request path.</summary>
    public void MapLender(IServiceProvider api)
    {
        var member = _federation.Member;
        Concurrency = new PeerConcurrency(_config.Federation.Lending.MaxConcurrencyPerPeer);
        if (_config.Federation.Lending.Offer)
        {
            // Before the first request can be admitted: the ids the last process admitted, or a refusal of what they could cover.
            ReplayHistory = new LendingReplayHistory(member.Options.DataDirectory, Replays, LendingRequestVerifier.DefaultSkew);
            if (ReplayHistory.Resume(member.Clock.GetUtcNow(), member.NewDirectory) is { } lost)
            {
                api.GetRequiredService<ILogger<LendingNode>>().LogWarning(
                    "lending: {Problem}; requests signed up to {Until:O} are refused as possible replays (503 replay_history_lost)", lost, Replays.DistrustedUpTo);
            }
        }

        var verifier = new LendingRequestVerifier(member.Trust, member.Options.FederationId, member.Clock, IsQuarantined(_federation), Replays,
            LendingRequestVerifier.DefaultSkew);
        var handler = new LentRequestHandler(_config, api.GetRequiredService<InferencePipeline>(), api.GetRequiredService<IReadOnlyList<IRequestGate>>(),
            verifier, Concurrency, Counters, api.GetRequiredService<ILogger<LentRequestHandler>>(), api.GetService<QuantumEdge.Gateway.Emergency.EmergencyControls>());
        foreach (var route in new[] { InferenceRoute.ChatCompletions, InferenceRoute.Completions, InferenceRoute.Embeddings })
        {
            _federation.MapPost(LendingRequest.PathPrefix + route.RelativePath(), ctx => handler.HandleAsync(ctx, route));
        }
    }

    /// <summary>
    /// At a clean stop, once the listener has stopped: closes the replay window and saves its ids for the next start.
    /// A failure is logged; the next start then finds the file still <c>running</c> and refuses what the ids covered.
    /// </summary>
    public void SuspendReplayHistory(ILogger logger)
    {
        try
        {
            ReplayHistory?.Suspend(_federation.Member.Clock.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError("lending: the replay window could not be saved to {Path}: {Problem}", ReplayHistory!.Path, e.Message);
        }
    }

    private static Func<string, bool> IsQuarantined(FederationNode federation) =>
        origin => federation.Member.Intake.Quarantined().Any(q => string.Equals(q.Origin, origin, StringComparison.Ordinal));
}
