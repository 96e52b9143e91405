using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.State;
using QuantumEdge.Federation.Store;
using QuantumEdge.Federation.Witness;

namespace QuantumEdge.Federation.Verification;

/// <summary>
/// The verification pipeline every envelope goes through, whether pushed by a peer, pulled in
/// gossip or published by this node. In order:
/// <list type="number">
/// <item>read: size, JSON, fields, schema version → 400 with the reason;</item>
/// <item>authenticate: origin in the trust list (401 unknown_origin), our federation
/// (401 wrong_federation), signature (401 bad_signature);</item>
/// <item>conflicts, under one lock: quarantined origin (409 quarantined), created_at too far
/// ahead (409 clock_skew), (epoch, seq) against the durable high-water mark and the held
/// envelopes (409 stale_epoch / replay / stale / equivocation), prev_hash against the held
/// predecessor (409 equivocation), audit head against the witnessed heads (409 audit_fork);</item>
/// <item>accept: high-water mark (fsync), witnessed head (fsync), store; then listeners.</item>
/// </list>
/// A refusal changes nothing, except that equivocation and audit forks quarantine the origin
/// and keep the evidence (that is their point).
/// </summary>
public sealed class EnvelopeIntake
{
    private readonly object _gate = new();
    private readonly string _federationId;
    private readonly TrustList _trust;
    private readonly HighWaterMarks _marks;
    private readonly EnvelopeStore _store;
    private readonly WitnessLog _witness;
    private readonly IFederationSigner _signer;
    private readonly TimeProvider _clock;
    private readonly IntakeOptions _options;
    private readonly Dictionary<string, WitnessReceipt> _latestReceipts = new(StringComparer.Ordinal);

    public EnvelopeIntake(string federationId, TrustList trust, IFederationSigner signer, HighWaterMarks marks, EnvelopeStore store,
        WitnessLog witness, TimeProvider clock, IntakeOptions? options = null)
    {
        _federationId = federationId;
        _trust = trust ?? throw new ArgumentNullException(nameof(trust));
        _signer = signer ?? throw new ArgumentNullException(nameof(signer));
        _marks = marks ?? throw new ArgumentNullException(nameof(marks));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _witness = witness ?? throw new ArgumentNullException(nameof(witness));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _options = options ?? new IntakeOptions();
    }

    /// <summary>Raised after an envelope was accepted and stored (on the submitting thread, outside the lock).</summary>
    public event Action<Envelope>? Accepted;

    public IntakeCounters Counters { get; } = new();

    /// <summary>Reads, verifies and (when valid) accepts untrusted bytes.</summary>
    public IntakeResult Submit(ReadOnlySpan<byte> bytes)
    {
        if (!EnvelopeCodec.TryRead(bytes, _options.Limits, out var envelope, out var refusal))
        {
            return Refused(IntakeResult.Refuse(refusal));
        }

        return Submit(envelope);
    }

    /// <summary>
    /// Refuses a body the transport stopped reading at the size limit (its declared length, when it
    /// had one): counted and answered as <c>too_large</c> like one that was read and found too long.
    /// </summary>
    /// <summary>Refuses a push whose body could not be read (cut short, too slow, or framed wrongly), counted like any malformed one.</summary>
    public IntakeResult RefuseUnreadable(string detail) =>
        Refused(IntakeResult.Refuse(Refusal.Malformed(RefusalReason.MalformedJson, detail)));

    public IntakeResult RefuseOversized(long? declaredBytes) =>
        Refused(IntakeResult.Refuse(Refusal.Malformed(RefusalReason.TooLarge, declaredBytes is { } n
            ? $"the body declares {n} bytes; the limit is {_options.Limits.MaxBytes}"
            : $"the body is over the limit of {_options.Limits.MaxBytes} bytes")));

    /// <summary>Verifies and (when valid) accepts an envelope read by <see cref="EnvelopeCodec"/> or built by this node.</summary>
    public IntakeResult Submit(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (!_trust.TryGet(envelope.Origin, out var origin))
        {
            return Refused(IntakeResult.Refuse(Refusal.Unauthenticated(RefusalReason.UnknownOrigin,
                $"origin '{envelope.Origin}' is not in this node's federation peers"), envelope));
        }

        if (!string.Equals(envelope.FederationId, _federationId, StringComparison.Ordinal))
        {
            return Refused(IntakeResult.Refuse(Refusal.Unauthenticated(RefusalReason.WrongFederation,
                $"envelope is for federation '{envelope.FederationId}', this node is in '{_federationId}'"), envelope));
        }

        if (!EnvelopeCodec.VerifySignature(envelope, origin.PublicKey))
        {
            return Refused(IntakeResult.Refuse(Refusal.Unauthenticated(RefusalReason.BadSignature,
                $"signature of {envelope} does not verify under the public key configured for '{envelope.Origin}'"), envelope));
        }

        IntakeResult result;
        lock (_gate)
        {
            result = CheckAndAccept(envelope);
        }

        if (!result.IsAccepted)
        {
            return Refused(result);
        }

        Counters.CountAccepted();
        Accepted?.Invoke(envelope);
        return result;
    }

    /// <summary>What this node holds of every origin: the digest peers compare against.</summary>
    public IReadOnlyDictionary<string, DigestEntry> Digest()
    {
        lock (_gate)
        {
            return _marks.All.ToDictionary(p => p.Key, p => new DigestEntry(p.Value.Epoch, p.Value.Seq, Convert.ToHexStringLower(p.Value.Hash)),
                StringComparer.Ordinal);
        }
    }

    /// <summary>This node's receipt for the newest audit head it witnessed of <paramref name="origin"/> since it started, or null.</summary>
    public WitnessReceipt? LatestReceipt(string origin)
    {
        lock (_gate)
        {
            return _latestReceipts.GetValueOrDefault(origin);
        }
    }

    public bool IsQuarantined(string origin)
    {
        lock (_gate)
        {
            return _witness.IsQuarantined(origin);
        }
    }

    /// <summary>Quarantined origins and their evidence.</summary>
    public IReadOnlyList<QuarantineRecord> Quarantined()
    {
        lock (_gate)
        {
            return _witness.Quarantined.Values.ToList();
        }
    }

    /// <summary>The audit heads witnessed of <paramref name="origin"/>.</summary>
    public IReadOnlyList<WitnessedHead> WitnessedHeads(string origin)
    {
        lock (_gate)
        {
            return _witness.Heads(origin);
        }
    }

    /// <summary>Operator action: accept a quarantined origin again.</summary>
    public bool LiftQuarantine(string origin)
    {
        lock (_gate)
        {
            return _witness.Lift(origin);
        }
    }

    private IntakeResult CheckAndAccept(Envelope envelope)
    {
        var now = _clock.GetUtcNow();
        var origin = envelope.Origin;
        if (_witness.IsQuarantined(origin))
        {
            return IntakeResult.Refuse(Refusal.Conflict(RefusalReason.Quarantined,
                $"origin '{origin}' is quarantined ({_witness.Quarantined[origin].Reason}); its envelopes are refused until an operator lifts it"), envelope);
        }

        if (envelope.CreatedAt > now + _options.MaxClockSkew)
        {
            return IntakeResult.Refuse(Refusal.Conflict(RefusalReason.ClockSkew,
                $"{envelope} was created at {Timestamps.Format(envelope.CreatedAt)}, more than {_options.MaxClockSkew.TotalSeconds:0} s ahead of this node's clock ({Timestamps.Format(now)})"),
                envelope);
        }

        if (_marks.TryGet(origin, out var mark))
        {
            var order = mark.CompareTo(envelope.Epoch, envelope.Seq);
            if (envelope.Epoch < mark.Epoch)
            {
                return IntakeResult.Refuse(Refusal.Conflict(RefusalReason.StaleEpoch,
                    $"{envelope} is from epoch {envelope.Epoch}; '{origin}' is at epoch {mark.Epoch}"), envelope);
            }

            if (order >= 0)
            {
                return RefuseOld(envelope, mark);
            }

            // The envelope right after the mark must name the marked one as its predecessor.
            if (envelope.Epoch == mark.Epoch && envelope.Seq == mark.Seq + 1 && !envelope.PrevHash.AsSpan().SequenceEqual(mark.Hash))
            {
                var held = _store.TryGet(origin, mark.Epoch, mark.Seq, out var previous) ? previous : null;
                return Equivocate(envelope, held, $"{envelope} names a predecessor that is not the {origin}#{mark.Epoch}.{mark.Seq} this node accepted");
            }
        }

        if (envelope.Payload.AuditHead is { } head && _witness.FindContradiction(origin, head) is { } contradiction)
        {
            var evidence = new List<byte[]> { envelope.CanonicalBytes };
            if (_store.TryGet(origin, contradiction.Conflict.EnvelopeEpoch, contradiction.Conflict.EnvelopeSeq, out var earlier))
            {
                evidence.Add(earlier.CanonicalBytes);
            }

            var detail = $"{envelope}: {contradiction.Detail}; first saw seq {contradiction.Conflict.Head.Seq} in {origin}#{contradiction.Conflict.EnvelopeEpoch}.{contradiction.Conflict.EnvelopeSeq}";

            // This node's own chain going back (a restored backup) is refused loudly, but the node does not quarantine itself: its peers will.
            if (!string.Equals(origin, _trust.SelfId, StringComparison.Ordinal))
            {
                _witness.Quarantine(origin, RefusalReason.AuditFork, detail, evidence, now);
            }

            return IntakeResult.Refuse(Refusal.Conflict(RefusalReason.AuditFork, detail), envelope);
        }

        // Accept: durable state first, so an acknowledged envelope is never accepted twice.
        _marks.Advance(origin, new HighWaterMark(envelope.Epoch, envelope.Seq, envelope.Hash));
        WitnessReceipt? receipt = null;
        if (envelope.Payload.AuditHead is { } accepted)
        {
            _witness.Record(origin, accepted, envelope, now);
            receipt = WitnessReceipt.Create(_signer, _trust.SelfId, origin, accepted, now);
            _latestReceipts[origin] = receipt;
        }

        _store.Add(envelope);
        return IntakeResult.Accept(envelope, receipt);
    }

    private IntakeResult RefuseOld(Envelope envelope, HighWaterMark mark)
    {
        var origin = envelope.Origin;
        Envelope? held = null;
        byte[]? heldHash = null;
        if (envelope.Seq == mark.Seq)
        {
            heldHash = mark.Hash;
            _store.TryGet(origin, mark.Epoch, mark.Seq, out held);
        }
        else if (_store.TryGet(origin, envelope.Epoch, envelope.Seq, out held))
        {
            heldHash = held.Hash;
        }

        if (heldHash is null)
        {
            return IntakeResult.Refuse(Refusal.Conflict(RefusalReason.Stale,
                $"{envelope} is older than {origin}#{mark.Epoch}.{mark.Seq}, the newest this node accepted"), envelope);
        }

        if (heldHash.AsSpan().SequenceEqual(envelope.Hash))
        {
            return IntakeResult.Refuse(Refusal.Conflict(RefusalReason.Replay, $"{envelope} was already accepted"), envelope);
        }

        return Equivocate(envelope, held, $"'{origin}' signed two different envelopes with seq {envelope.Epoch}.{envelope.Seq}");
    }

    private IntakeResult Equivocate(Envelope envelope, Envelope? held, string detail)
    {
        var evidence = new List<byte[]> { envelope.CanonicalBytes };
        if (held is not null)
        {
            evidence.Add(held.CanonicalBytes);
        }

        _witness.Quarantine(envelope.Origin, RefusalReason.Equivocation, detail, evidence, _clock.GetUtcNow());
        return IntakeResult.Refuse(Refusal.Conflict(RefusalReason.Equivocation, detail + "; origin quarantined"), envelope);
    }

    private IntakeResult Refused(IntakeResult result)
    {
        Counters.CountRefused(result.Refusal!.Reason);
        return result;
    }
}
