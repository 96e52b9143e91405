using System.Net;
using Microsoft.Extensions.DependencyInjection;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Planning.State;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Node.Hosting;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Cli;

/// <summary>A backup holds the planner's quantum state and the masked effective config beside the ledger; restore puts the state back.</summary>
public sealed class QuantumStateBackupTests
{
    [Fact]
    public async Task Backup_holds_the_state_and_a_masked_config_and_restore_brings_the_state_back()
    {
        var backup = Path.Combine(Path.GetTempPath(), "qe-qstate-backup-" + Guid.NewGuid().ToString("N"));
        NodeConfiguration config;
        var node = await TestNode.StartAsync([new TestNode.Sim("secure", TestNode.AllLevels)]);
        try
        {
            config = node.Node.Config;
            using (var answer = await node.Http.SendAsync(node.Chat(node.Token())))
            {
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            }

            await node.Node.Ledger.BackupAsync(backup);
            var notes = BackupExtras.Write(backup, config, node.Node.Services.GetRequiredService<QuantumStatePersistence>());
            Assert.Contains(notes, n => n.Contains("running node", StringComparison.Ordinal));
            node.KeepDataDirectory = true;
        }
        finally
        {
            await node.DisposeAsync();
        }

        try
        {
            var saved = QuantumStateFile.Read(Path.Combine(backup, QuantumStateFile.FileName));
            Assert.True(saved.LatencyMsByBackend["secure"] > 0);
            var printed = File.ReadAllText(Path.Combine(backup, BackupExtras.ConfigFileName));
            Assert.Contains("security_level: public", printed, StringComparison.Ordinal);
            Assert.Contains("# MASTER_KEY: ****** (set)", printed, StringComparison.Ordinal);
            Assert.DoesNotContain(config.MasterKey!, printed, StringComparison.Ordinal);
            Assert.DoesNotContain(TestNode.Secret, printed, StringComparison.Ordinal);

            // Shutdown wrote the state under the data dir; losing it and restoring brings the backup's back.
            var statePath = QuantumStateFile.PathFor(config);
            Assert.Null(QuantumStateFile.Problem(statePath));
            File.Delete(statePath);
            await LedgerFactory.RestoreAsync(backup, config);
            var said = BackupExtras.RestoreState(backup, config);

            Assert.Contains("restored", said, StringComparison.Ordinal);
            Assert.Equal(File.ReadAllBytes(Path.Combine(backup, QuantumStateFile.FileName)), File.ReadAllBytes(statePath));
        }
        finally
        {
            Directory.Delete(backup, recursive: true);
            Directory.Delete(config.Node.DataDir, recursive: true);
        }
    }

    [Fact]
    public void A_damaged_state_in_a_backup_is_not_restored_and_the_current_one_is_kept()
    {
        var backup = Directory.CreateTempSubdirectory("qe-qstate-bad-").FullName;
        var config = new NodeConfiguration { Source = "test", Node = new NodeSettings { DataDir = Directory.CreateTempSubdirectory("qe-qstate-data-").FullName } };
        try
        {
            File.WriteAllText(Path.Combine(backup, QuantumStateFile.FileName), "QESTATE1 but not much else, padded to be longer than a header and hash");
            var current = QuantumStateFile.PathFor(config);
            Directory.CreateDirectory(Path.GetDirectoryName(current)!);
            File.WriteAllText(current, "current");

            var said = BackupExtras.RestoreState(backup, config);

            Assert.Contains("unusable", said, StringComparison.Ordinal);
            Assert.Equal("current", File.ReadAllText(current));
        }
        finally
        {
            Directory.Delete(backup, recursive: true);
            Directory.Delete(config.Node.DataDir, recursive: true);
        }
    }
}
