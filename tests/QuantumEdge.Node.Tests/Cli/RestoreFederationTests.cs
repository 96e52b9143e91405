using System.Net;
using Microsoft.Extensions.DependencyInjection;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Federation.State;
using QuantumEdge.Federation.Witness;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Node.Cli;
using QuantumEdge.Node.Federation;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Cli;

/// <summary>
/// A ledger restore keeps the federation directory: the node's own envelope seq goes on growing
/// (peers hold its newest seq and would refuse a re-used one); the restore warns that peers
/// witnessed audit heads beyond the restored chain, and the node publishes no rolled-back head.
/// </summary>
public sealed class RestoreFederationTests
{
    [Fact]
    public async Task After_a_restore_the_own_sequence_continues_forward_and_the_witnessed_rollback_is_announced()
    {
        using var peerKey = Ed25519Signer.Generate();
        var backup = Path.Combine(Path.GetTempPath(), "qe-restore-fed-" + Guid.NewGuid().ToString("N"));
        NodeConfiguration config;
        long epoch;
        long seqBefore;
        var first = await TestNode.StartAsync([new TestNode.Sim("gpu", TestNode.OpenLevels)], configure: c => c with
        {
            Node = c.Node with { Id = "hospital-a" },
            Federation = new FederationSettings
            {
                Enabled = true,
                FederationId = "regional-health-net",
                ListenUrl = "http://127.0.0.1:0",
                Peers = [new FederationPeerSettings { Id = "hospital-b", PublicKey = FederationPublicKey.Format(peerKey.PublicKey.Span), PublicKeyBytes = peerKey.PublicKey.ToArray() }],
                ReleaseIntervalSeconds = 3600,
                Models = ["clinical-7b"],
            },
        });
        try
        {
            config = first.Node.Config;
            using (var answer = await first.Http.SendAsync(first.Chat(first.Token())))
            {
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            }

            await first.Node.Ledger.BackupAsync(backup);
            using (var answer = await first.Http.SendAsync(first.Chat(first.Token())))
            {
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            }

            var loop = first.Node.Services.GetRequiredService<FederationLoop>();
            await AuditTrail.WaitForAsync(first, r => r.Entry.Decision == "completed" && r.Seq > 2);
            var published = (await loop.PublishAsync())!;
            epoch = published.Envelope.Epoch;
            seqBefore = published.Envelope.Seq;
            Assert.True(seqBefore >= 2, $"seq {seqBefore}");

            // hospital-b witnessed the head the restore is about to roll back.
            var head = await first.Node.Ledger.AuditHeadAsync();
            var receipt = WitnessReceipt.Create(peerKey, "hospital-b", "hospital-a", new AuditHead(head.Seq, head.Hash), DateTimeOffset.UtcNow);
            Assert.True(ReceiptLog.Open(FederationNode.DataDirectory(config)).Add(receipt));
            first.KeepDataDirectory = true;
        }
        finally
        {
            await first.DisposeAsync();
        }

        try
        {
            var restored = await LedgerFactory.RestoreAsync(backup, config);
            var note = await FederationAfterRestore.DescribeAsync(config);
            Assert.NotNull(note);
            Assert.Contains($"own envelope sequence kept (epoch {epoch}, seq {seqBefore})", note, StringComparison.Ordinal);
            Assert.Contains("peers (hospital-b) witnessed audit seq up to", note, StringComparison.Ordinal);
            Assert.Contains("refuses its shorter chain's heads as a rollback (audit_fork)", note, StringComparison.Ordinal);
            Assert.Contains($"beyond the restored chain's end ({restored.LastSeq})", note, StringComparison.Ordinal);
            var own = OwnSequence.Open(FederationNode.DataDirectory(config), TimeProvider.System);
            Assert.Equal(epoch, own.Epoch);
            Assert.Equal(seqBefore, own.LastReserved);

            await using var second = await TestNode.StartAsync([], configure: _ => config);
            // Its rolled-back audit head is refused by its own intake: no envelope with it leaves the node.
            Assert.Null(await second.Node.Services.GetRequiredService<FederationLoop>().PublishAsync());
            // Whatever it signs next continues after the last seq ever reserved, in the same epoch.
            var next = second.Node.Federation!.Member.Publish();
            Assert.Equal(epoch, next.Envelope.Epoch);
            Assert.True(next.Envelope.Seq > seqBefore, $"seq {next.Envelope.Seq} after {seqBefore}");
        }
        finally
        {
            Directory.Delete(backup, recursive: true);
            if (Directory.Exists(config.Node.DataDir))
            {
                Directory.Delete(config.Node.DataDir, recursive: true);
            }
        }
    }
}
