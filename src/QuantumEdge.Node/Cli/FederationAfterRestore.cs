using System.Globalization;
using System.Text;
using QuantumEdge.Federation.State;
using QuantumEdge.Federation.Witness;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Node.Federation;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// What a ledger restore means for federation, printed by <c>restore</c>. A backup holds the
/// ledger only; the federation directory (own sequence, high-water marks, witness log, receipts)
/// is kept as it is, never put back: this node's envelope seq must only grow, because peers hold
/// its newest seq as a high-water mark and would refuse a re-used one (replay, or equivocation and
/// quarantine when the bytes differ). The restored audit chain, however, may now end below heads
/// that peers witnessed: the node's own intake refuses its next audit head as a rollback
/// (<c>audit_fork</c>), so it publishes nothing a peer could take for a silent rewrite (peers would
/// refuse it and quarantine the node) — the witness log doing its job, so the note says so in
/// advance for the operator to settle it with the peers' operators.
/// </summary>
internal static class FederationAfterRestore
{
    public static async Task<string?> DescribeAsync(NodeConfiguration config)
    {
        if (!config.Federation.Enabled)
        {
            return null;
        }

        var directory = FederationNode.DataDirectory(config);
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        if (File.Exists(Path.Combine(directory, OwnSequence.FileName)))
        {
            var own = OwnSequence.Open(directory, TimeProvider.System);
            text.Append(inv, $"federation: own envelope sequence kept (epoch {own.Epoch}, seq {own.LastReserved}); the next envelope continues after it\n");
        }
        else
        {
            text.Append("federation: no own envelope sequence yet; the node starts a new epoch\n");
        }

        await using var ledger = LedgerFactory.OpenForReading(config);
        var (head, _) = await ledger.AuditHeadAsync().ConfigureAwait(false);
        var beyond = ReceiptLog.Open(directory).All.Where(r => r.AuditSeq > head).ToList();
        if (beyond.Count > 0)
        {
            var witnesses = string.Join(", ", beyond.Select(r => r.Witness).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            text.Append(inv, $"federation: peers ({witnesses}) witnessed audit seq up to {beyond.Max(r => r.AuditSeq)}, beyond the restored chain's end ({head}): ")
                .Append("the node's own intake refuses its shorter chain's heads as a rollback (audit_fork), so it publishes no envelope (and peers would refuse and quarantine it) until the rollback is settled with their operators\n");
        }

        return text.ToString();
    }
}
