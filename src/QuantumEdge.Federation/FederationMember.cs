using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Federation.Robust;
using QuantumEdge.Federation.State;
using QuantumEdge.Federation.Store;
using QuantumEdge.Federation.Verification;
using QuantumEdge.Federation.Witness;

namespace QuantumEdge.Federation;

/// <summary>
/// This node as a member of the federation: its trust list, its durable state (own sequence,
/// high-water marks, witnessed heads, receipts, DP budget), the verification pipeline, the
/// envelope store, its observations and releases, and the combined view of its peers. The node
/// composes one at start-up; the gossip engine and the endpoint handlers work on it.
/// Opening reads every state file and fails with <see cref="FederationStateException"/> on a corrupt one.
/// </summary>
public sealed class FederationMember
{
    private readonly IFederationSigner _signer;
    private readonly OwnSequence _sequence;
    private readonly TimeProvider _clock;

    private FederationMember(FederationMemberOptions options, IFederationSigner signer, TimeProvider clock, IGaussianNoise noise)
    {
        Options = options;
        _signer = signer;
        _clock = clock;
        NewDirectory = !Directory.Exists(options.DataDirectory) || !Directory.EnumerateFileSystemEntries(options.DataDirectory).Any();
        PrivateFiles.CreateDirectory(options.DataDirectory);
        Trust = new TrustList(options.NodeId, signer.PublicKey, options.Peers);
        _sequence = OwnSequence.Open(options.DataDirectory, clock);
        Store = new EnvelopeStore(options.EnvelopesPerOrigin);
        Intake = new EnvelopeIntake(options.FederationId, Trust, signer, HighWaterMarks.Open(options.DataDirectory), Store,
            WitnessLog.Open(options.DataDirectory, options.HeadsPerOrigin), clock, options.Intake);
        Receipts = ReceiptLog.Open(options.DataDirectory);
        Observations = new ObservationWindow(options.Privacy, clock.GetUtcNow());
        Releaser = new DpReleaser(options.Privacy, Observations, FederationBudget.Open(options.DataDirectory, options.Privacy), noise);
        Releases = new ReleaseBook();
        Intake.Accepted += Releases.Record;
        PeerStates = new PeerStates(Trust.Peers);
    }

    public FederationMemberOptions Options { get; }

    /// <summary>The data directory was absent or empty when this member opened it: no earlier process kept state there.</summary>
    public bool NewDirectory { get; }

    public string NodeId => Options.NodeId;

    public TrustList Trust { get; }

    public EnvelopeIntake Intake { get; }

    public EnvelopeStore Store { get; }

    /// <summary>Receipts peers signed for this node's audit heads (input of <c>audit verify --witnesses</c>).</summary>
    public ReceiptLog Receipts { get; }

    /// <summary>Record requests and feedback here; they go into the next release, clipped per user.</summary>
    public ObservationWindow Observations { get; }

    public DpReleaser Releaser { get; }

    /// <summary>The latest release of every origin.</summary>
    public ReleaseBook Releases { get; }

    /// <summary>Reachability of each configured peer, kept by the gossip engine.</summary>
    public PeerStates PeerStates { get; }

    public TimeProvider Clock => _clock;

    /// <summary>The epoch of this node's own envelopes.</summary>
    public long Epoch => _sequence.Epoch;

    public static FederationMember Open(FederationMemberOptions options, IFederationSigner signer, TimeProvider? clock = null, IGaussianNoise? noise = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signer);
        if (!Identity.NodeId.IsValid(options.NodeId) || !Identity.NodeId.IsValid(options.FederationId))
        {
            throw new ArgumentException("federation: node id and federation_id must be 1-64 characters of a-z, 0-9, '.', '_', '-'.");
        }

        return new FederationMember(options, signer, clock ?? TimeProvider.System, noise ?? new SecureGaussianNoise());
    }

    /// <summary>
    /// Publishes this node's next envelope: a DP release of the observation window when the
    /// day's budget allows (none when it is spent), the given audit head and lending offer.
    /// The envelope goes through this node's own intake, so it is stored for gossip and its
    /// audit head is witnessed locally too.
    /// </summary>
    public PublishOutcome Publish(AuditHead? auditHead = null, LendingOffer? lending = null)
    {
        var now = _clock.GetUtcNow();
        // A sequence file older than what the federation holds of this node (a file-level restore) catches up first.
        if (Intake.Digest().TryGetValue(NodeId, out var held) && held.Hash is { } heldHash)
        {
            _sequence.CatchUp(held.Epoch, held.Seq, Convert.FromHexString(heldHash));
        }

        var release = Releaser.TryRelease(now);
        var envelope = _sequence.Publish(_signer, NodeId, Options.FederationId, now, new FederationPayload(auditHead, release.Release, lending));
        var result = Intake.Submit(envelope);
        if (!result.IsAccepted)
        {
            // Only possible when this node's own state contradicts itself: its audit head went backwards or
            // was rewritten (a restored backup), which its peers will treat as fork evidence too.
            throw new InvalidOperationException($"this node's own envelope {envelope} contradicts what it published before: {result.Refusal}");
        }

        return new PublishOutcome(envelope, release.Budget);
    }

    /// <summary>The robust combination of the peers' latest valid releases (this node's own and quarantined origins excluded).</summary>
    public FederationInsights Insights()
    {
        var quarantined = Intake.Quarantined().Select(q => q.Origin).ToHashSet(StringComparer.Ordinal);
        return RobustAggregator.Combine(Releases.Latest(), _clock.GetUtcNow(), Options.Aggregation,
            origin => string.Equals(origin, NodeId, StringComparison.Ordinal) || quarantined.Contains(origin));
    }

    /// <summary>Keeps a receipt a peer returned for one of this node's audit heads, when it verifies under that peer's key.</summary>
    public bool AcceptReceipt(WitnessReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return string.Equals(receipt.Origin, NodeId, StringComparison.Ordinal)
            && !string.Equals(receipt.Witness, NodeId, StringComparison.Ordinal)
            && Trust.TryGet(receipt.Witness, out var witness)
            && receipt.Verify(witness.PublicKey)
            && Receipts.Add(receipt);
    }

    /// <summary>The digest peers compare against: origin → newest (epoch, seq) accepted.</summary>
    public IReadOnlyDictionary<string, DigestEntry> Digest() => Intake.Digest();
}
