using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Witness;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Node.Federation;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// <c>audit verify --witnesses</c>: the whole-chain verification, then every receipt federation
/// peers signed for this node's audit heads (<c>receipts.json</c>) against the local chain. A head a
/// peer witnessed beyond the chain's end (rolled back) or with another hash (rewritten) fails.
/// </summary>
internal static class WitnessVerification
{
    public static async Task<int> RunAsync(NodeConfiguration config, CancellationToken ct)
    {
        if (!config.Federation.Enabled)
        {
            throw new ConfigurationException("federation.enabled", "--witnesses checks receipts from federation peers, and federation is not enabled in this configuration");
        }

        await using var ledger = LedgerFactory.OpenForReading(config);
        var chain = await ledger.VerifyAsync();
        await Console.Out.WriteLineAsync(chain.ToString());
        var receipts = ReceiptLog.Open(FederationNode.DataDirectory(config)).All;
        var (headSeq, _) = await ledger.AuditHeadAsync();
        var hashes = new Dictionary<long, byte[]?>();
        foreach (var seq in receipts.Select(r => r.AuditSeq).Where(s => s >= 1 && s <= headSeq).Distinct())
        {
            ct.ThrowIfCancellationRequested();
            var records = await ledger.ReadAuditAsync(seq - 1, 1);
            hashes[seq] = records.Count == 1 && records[0].Seq == seq ? Convert.FromHexString(records[0].Hash) : null;
        }

        var trust = new TrustList(config.Node.Id, ledger.NodeIdentity.PublicKeyBytes, FederationNode.Options(config).Peers);
        var report = WitnessCheck.Verify(config.Node.Id, trust, receipts, headSeq, seq => hashes.GetValueOrDefault(seq));
        foreach (var finding in report.Findings.Where(f => f.Kind != WitnessFindingKind.Verified))
        {
            await Console.Out.WriteLineAsync($"{finding.Kind}: {finding.Detail}");
        }

        var ok = chain.IsValid && report.Ok;
        await Console.Out.WriteLineAsync(ok
            ? $"witnesses: {report.Verified} receipts from peers agree with the local chain (head seq {headSeq})"
            : $"witnesses: {report.Contradictions.Count} receipts contradict the local chain (head seq {headSeq})");
        return ok ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
