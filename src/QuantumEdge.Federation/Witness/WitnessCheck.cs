using System.Globalization;
using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Witness;

/// <summary>
/// The check behind <c>audit verify --witnesses</c>: every receipt a peer signed for one of this
/// node's audit heads must agree with the local chain. A head beyond the local chain's end means
/// records were removed (an older backup restored, the tail deleted); another hash at the same
/// seq means the chain was rewritten. Either contradicts a statement the node itself signed.
/// </summary>
public static class WitnessCheck
{
    /// <param name="selfId">This node's id: receipts for other origins are not about this chain and are skipped.</param>
    /// <param name="trust">Whose receipts count: a receipt must verify under its witness's configured key.</param>
    /// <param name="receipts">The receipts peers returned (see <see cref="ReceiptLog"/>).</param>
    /// <param name="localHeadSeq">The seq of the local chain's newest record (0 when empty).</param>
    /// <param name="localHashAt">The chain hash of the local record at a seq, or null when the chain does not hold it.</param>
    public static WitnessReport Verify(string selfId, TrustList trust, IEnumerable<WitnessReceipt> receipts, long localHeadSeq,
        Func<long, byte[]?> localHashAt)
    {
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(receipts);
        ArgumentNullException.ThrowIfNull(localHashAt);
        var findings = new List<WitnessFinding>();
        foreach (var receipt in receipts)
        {
            if (!string.Equals(receipt.Origin, selfId, StringComparison.Ordinal))
            {
                continue;
            }

            var at = Envelopes.Timestamps.Format(receipt.WitnessedAt);
            if (string.Equals(receipt.Witness, selfId, StringComparison.Ordinal) || !trust.TryGet(receipt.Witness, out var witness)
                || !receipt.Verify(witness.PublicKey))
            {
                findings.Add(new(WitnessFindingKind.InvalidReceipt, receipt,
                    $"receipt from '{receipt.Witness}' for seq {receipt.AuditSeq} does not verify under a trusted peer's key"));
                continue;
            }

            if (receipt.AuditSeq > localHeadSeq)
            {
                findings.Add(new(WitnessFindingKind.RolledBack, receipt, string.Create(CultureInfo.InvariantCulture,
                    $"'{receipt.Witness}' witnessed audit seq {receipt.AuditSeq} at {at}, but the local chain ends at seq {localHeadSeq}: records were removed")));
                continue;
            }

            var local = localHashAt(receipt.AuditSeq);
            if (local is null)
            {
                findings.Add(new(WitnessFindingKind.Pruned, receipt, string.Create(CultureInfo.InvariantCulture,
                    $"seq {receipt.AuditSeq} witnessed by '{receipt.Witness}' is no longer in the local chain (retention)")));
            }
            else if (!local.AsSpan().SequenceEqual(receipt.AuditHash))
            {
                findings.Add(new(WitnessFindingKind.Rewritten, receipt, string.Create(CultureInfo.InvariantCulture,
                    $"'{receipt.Witness}' witnessed hash {Convert.ToHexStringLower(receipt.AuditHash)[..16]}… at audit seq {receipt.AuditSeq} ({at}); the local chain has {Convert.ToHexStringLower(local)[..16]}…: the chain was rewritten")));
            }
            else
            {
                findings.Add(new(WitnessFindingKind.Verified, receipt, string.Create(CultureInfo.InvariantCulture,
                    $"'{receipt.Witness}' witnessed seq {receipt.AuditSeq}: matches")));
            }
        }

        return new WitnessReport(findings);
    }
}
