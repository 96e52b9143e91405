using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Planning.State;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// What a backup holds beside the ledger: the planner's quantum state (<see cref="QuantumStateFile.FileName"/>, its own
/// checksum inside) and the effective configuration with secrets masked (<see cref="ConfigFileName"/>, for the record:
/// restore never applies it). The ledger's manifest is written first and does not list them.
/// </summary>
internal static class BackupExtras
{
    public const string ConfigFileName = "effective-config.yaml";

    /// <summary>Writes both files into <paramref name="directory"/>; the state is the running node's (<paramref name="running"/>) or the data dir's file.</summary>
    /// <returns>One line per file saying what was written or why it was not.</returns>
    public static IReadOnlyList<string> Write(string directory, NodeConfiguration config, QuantumStatePersistence? running)
    {
        var notes = new List<string>();
        var stateTarget = Path.Combine(directory, QuantumStateFile.FileName);
        var source = QuantumStateFile.PathFor(config);
        if (running is not null)
        {
            DurableFile.Replace(stateTarget, running.Capture());
            notes.Add($"quantum state: {QuantumStateFile.FileName} (taken from the running node)");
        }
        else if (!File.Exists(source))
        {
            notes.Add($"quantum state: none at {source}; the backup holds none");
        }
        else if (QuantumStateFile.Problem(source) is { } problem)
        {
            notes.Add($"quantum state: {source} is unusable ({problem}); the backup holds none");
        }
        else
        {
            DurableFile.Replace(stateTarget, File.ReadAllBytes(source));
            notes.Add($"quantum state: {QuantumStateFile.FileName} (copied from {source})");
        }

        DurableFile.Replace(Path.Combine(directory, ConfigFileName), System.Text.Encoding.UTF8.GetBytes(ConfigurationPrinter.Print(config)));
        notes.Add($"effective configuration (secrets masked): {ConfigFileName}");
        return notes;
    }

    /// <summary>Puts a backup's quantum state in place after its ledger was restored; says what happened.</summary>
    public static string RestoreState(string backupDirectory, NodeConfiguration config)
    {
        var state = Path.Combine(backupDirectory, QuantumStateFile.FileName);
        if (!File.Exists(state))
        {
            return "the backup holds no quantum state: the planner starts cold";
        }

        if (QuantumStateFile.Problem(state) is { } problem)
        {
            return $"the backup's quantum state is unusable ({problem}): not restored, the planner keeps what it has";
        }

        var target = QuantumStateFile.PathFor(config);
        FileModes.CreatePrivateDirectory(Path.GetDirectoryName(target)!);
        DurableFile.Replace(target, File.ReadAllBytes(state));
        return $"quantum state restored to {target}";
    }
}
