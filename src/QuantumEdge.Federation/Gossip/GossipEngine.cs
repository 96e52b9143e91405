using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Store;

namespace QuantumEdge.Federation.Gossip;

/// <summary>
/// Push-pull anti-entropy. Each round this node picks up to <see cref="GossipOptions.FanOut"/>
/// peers at random among those not backing off, and with each (concurrently, each exchange
/// bounded by <see cref="GossipOptions.ExchangeTimeout"/>): fetches its digest; pulls, page by
/// page, every origin the peer holds newer envelopes of; pushes every origin it holds older ones
/// of. Envelopes of any trusted origin are relayed, so a node learns of a peer it cannot reach
/// directly. Everything received goes through the verification pipeline. A failing peer backs
/// off exponentially and never delays the others.
/// </summary>
public sealed class GossipEngine
{
    private readonly FederationMember _member;
    private readonly IFederationTransport _transport;
    private readonly GossipOptions _options;
    private readonly Random _random;
    private long _rounds;
    private long _pushed;
    private long _pulled;
    private long _accepted;
    private long _failedExchanges;

    public GossipEngine(FederationMember member, IFederationTransport transport, GossipOptions? options = null, Random? random = null)
    {
        _member = member ?? throw new ArgumentNullException(nameof(member));
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _options = options ?? new GossipOptions();
        _random = random ?? new Random();
    }

    /// <summary>Totals since start, for metrics: rounds, envelopes pushed (sent), pulled, accepted from pulls, failed exchanges.</summary>
    public (long Rounds, long Pushed, long Pulled, long AcceptedFromPulls, long FailedExchanges) Totals =>
        (Interlocked.Read(ref _rounds), Interlocked.Read(ref _pushed), Interlocked.Read(ref _pulled), Interlocked.Read(ref _accepted),
            Interlocked.Read(ref _failedExchanges));

    /// <summary>Rounds forever at jittered intervals until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await RunRoundAsync(cancellationToken).ConfigureAwait(false);
            double factor;
            lock (_random)
            {
                factor = 1 + (_options.Jitter * ((2 * _random.NextDouble()) - 1));
            }

            try
            {
                await Task.Delay(_options.Interval * factor, _member.Clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round with up to fan-out due peers.</summary>
    public async Task<GossipRoundReport> RunRoundAsync(CancellationToken cancellationToken)
    {
        var now = _member.Clock.GetUtcNow();
        var due = _member.Trust.Peers.Where(p => p.Url is not null && _member.PeerStates.IsDue(p.Id, now)).ToList();
        lock (_random)
        {
            // Fisher–Yates: a uniformly random choice of fan-out peers.
            for (var i = due.Count - 1; i > 0; i--)
            {
                var j = _random.Next(i + 1);
                (due[i], due[j]) = (due[j], due[i]);
            }
        }

        var chosen = due.Take(_options.FanOut).ToList();
        var stats = await Task.WhenAll(chosen.Select(p => ExchangeAsync(p, cancellationToken))).ConfigureAwait(false);
        Interlocked.Increment(ref _rounds);
        Interlocked.Add(ref _pushed, stats.Sum(s => s.Pushed));
        Interlocked.Add(ref _pulled, stats.Sum(s => s.Pulled));
        Interlocked.Add(ref _accepted, stats.Sum(s => s.Accepted));
        Interlocked.Add(ref _failedExchanges, stats.Count(s => s.Failed));
        return new GossipRoundReport(chosen.Count, stats.Count(s => s.Failed), stats.Sum(s => s.Pulled), stats.Sum(s => s.Accepted),
            stats.Sum(s => s.Pushed), stats.Sum(s => s.Receipts), stats.Sum(s => s.BytesPulled), stats.Sum(s => s.BytesPushed));
    }

    private async Task<ExchangeStats> ExchangeAsync(TrustedPeer peer, CancellationToken cancellationToken)
    {
        var stats = new ExchangeStats();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ExchangeTimeout);
        try
        {
            var digest = await _transport.GetDigestAsync(peer, _member.NodeId, timeout.Token).ConfigureAwait(false);
            if (digest.Receipt is { } witnessed && _member.AcceptReceipt(witnessed))
            {
                stats.Receipts++;
            }

            var theirs = digest.Origins;
            await PullAsync(peer, theirs, stats, timeout.Token).ConfigureAwait(false);
            await PushAsync(peer, theirs, stats, timeout.Token).ConfigureAwait(false);
            _member.PeerStates.Succeeded(peer.Id, _member.Clock.GetUtcNow());
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            stats.Failed = true;
            var error = ex is OperationCanceledException ? $"exchange timed out after {_options.ExchangeTimeout.TotalSeconds:0.###} s" : ex.Message;
            lock (_random)
            {
                _member.PeerStates.Failed(peer.Id, _member.Clock.GetUtcNow(), error, _options, _random);
            }
        }

        return stats;
    }

    private async Task PullAsync(TrustedPeer peer, IReadOnlyDictionary<string, DigestEntry> theirs, ExchangeStats stats, CancellationToken token)
    {
        foreach (var (origin, their) in theirs)
        {
            if (!_member.Trust.TryGet(origin, out _) || _member.Intake.IsQuarantined(origin))
            {
                continue;
            }

            // The peer holds another envelope at our newest seq: fetch it, the intake will see the equivocation.
            if (_member.Digest().TryGetValue(origin, out var same) && their.ConflictsWith(same))
            {
                foreach (var bytes in await _transport.PullAsync(peer, origin, same.Epoch, same.Seq - 1, token).ConfigureAwait(false))
                {
                    stats.Pulled++;
                    stats.BytesPulled += bytes.Length;
                    _member.Intake.Submit(bytes);
                }

                continue;
            }

            for (var page = 0; page < _options.MaxPullPages; page++)
            {
                var mine = _member.Digest().TryGetValue(origin, out var m) ? m : (DigestEntry?)null;
                if (mine is { } held && !their.IsNewerThan(held))
                {
                    break;
                }

                var envelopes = await _transport.PullAsync(peer, origin, mine?.Epoch ?? their.Epoch, mine?.Seq ?? 0, token).ConfigureAwait(false);
                var progressed = false;
                foreach (var bytes in envelopes)
                {
                    stats.Pulled++;
                    stats.BytesPulled += bytes.Length;
                    if (_member.Intake.Submit(bytes).IsAccepted)
                    {
                        stats.Accepted++;
                        progressed = true;
                    }
                }

                if (!progressed)
                {
                    break;
                }
            }
        }
    }

    private async Task PushAsync(TrustedPeer peer, IReadOnlyDictionary<string, DigestEntry> theirs, ExchangeStats stats, CancellationToken token)
    {
        foreach (var (origin, mine) in _member.Digest())
        {
            if (_member.Intake.IsQuarantined(origin))
            {
                continue;
            }

            var their = theirs.TryGetValue(origin, out var t) ? t : (DigestEntry?)null;
            var conflict = their is { } other && mine.ConflictsWith(other);
            if (their is { } held && !mine.IsNewerThan(held) && !conflict)
            {
                continue;
            }

            // On a conflict, push our envelope at the contested seq so the peer sees the equivocation too.
            var envelopes = conflict
                ? _member.Store.After(origin, mine.Epoch, mine.Seq - 1, 1, Http.FederationWire.MaxPullBytes)
                : _member.Store.After(origin, their?.Epoch, their?.Seq ?? 0, _options.MaxPushPerOrigin, Http.FederationWire.MaxPullBytes);
            foreach (var envelope in envelopes)
            {
                var response = await _transport.PushAsync(peer, envelope.CanonicalBytes, token).ConfigureAwait(false);
                stats.Pushed++;
                stats.BytesPushed += envelope.CanonicalBytes.Length;
                if (response.Receipt is { } receipt && _member.AcceptReceipt(receipt))
                {
                    stats.Receipts++;
                }

                // The peer refuses this origin's envelopes (skewed clock, quarantine, …): do not insist this round.
                if (response.Status != 202 && response.Reason != Envelopes.RefusalReason.Replay)
                {
                    break;
                }
            }
        }
    }

    private sealed class ExchangeStats
    {
        public bool Failed { get; set; }

        public int Pulled { get; set; }

        public int Accepted { get; set; }

        public int Pushed { get; set; }

        public int Receipts { get; set; }

        public long BytesPulled { get; set; }

        public long BytesPushed { get; set; }
    }
}
