using System.CommandLine;
using System.Text;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Backup;

namespace QuantumEdge.Node.Cli;

/// <summary><c>quantumedge backup --out DIR</c> and <c>restore --from DIR</c>.</summary>
internal static class BackupCommands
{
    public static Command Backup()
    {
        var output = new Option<string>("--out") { Description = "Directory to write the snapshot to (created; must be empty).", Required = true };
        var command = new Command("backup", "Take a consistent snapshot of the ledger (privacy spends, audit chain) with a SHA-256 manifest; works while the node runs.") { output };
        command.SetAction(async (parse, ct) =>
        {
            var config = ConfigSource.LoadForAdmin(parse);
            var dir = DirectoryArgument(parse.GetValue(output), "--out");
            if (BackupTarget.Problem(dir, config.Storage.LocalLedgerDir(config.Node)) is { } problem)
            {
                throw new ConfigurationException("--out", problem);
            }

            using var admin = LocalAdminClient.TryCreate(config);
            if (admin is not null)
            {
                using var response = await admin.SendAsync(HttpMethod.Post, "/local/backup?out=" + Uri.EscapeDataString(dir), ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (!response.IsSuccessStatusCode)
                {
                    await Console.Error.WriteLineAsync($"quantumedge: backup failed: {body}");
                    return ExitCodes.Failure;
                }

                await Console.Out.WriteLineAsync($"backup written to {dir} by the running node");
                return ExitCodes.Ok;
            }

            var ledgerDir = Path.GetFullPath(config.Storage.ResolveLedgerDir(config.Node));
            if (!File.Exists(Path.Combine(ledgerDir, "ledger.db")))
            {
                // Opening would create an empty ledger (and its directory) just to back it up.
                throw new ConfigurationException("node.data_dir", $"there is no ledger in '{ledgerDir}' ({config.Source}): nothing to back up");
            }

            await using var ledger = LedgerFactory.Open(config);
            var manifest = await ledger.BackupAsync(dir);
            await Console.Out.WriteLineAsync($"backup written to {dir}: audit seq {manifest.LastSeq}, {manifest.Files.Count} files");
            foreach (var note in Hosting.BackupExtras.Write(dir, config, running: null))
            {
                await Console.Out.WriteLineAsync(note);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Restore()
    {
        var from = new Option<string>("--from") { Description = "A directory written by 'quantumedge backup'.", Required = true };
        var force = new Option<bool>("--force")
        {
            Description = "Restore even though the current ledger holds records the backup lacks (they are rolled back; the replaced ledger is kept beside the restored one).",
        };
        var command = new Command("restore", "Verify a backup (manifest hashes, audit chain, signatures) and put it in place of the ledger, refusing to roll records back without --force. The federation state is kept, never restored backwards. Stop the node first.") { from, force };
        command.SetAction(async (parse, ct) =>
        {
            var config = ConfigSource.LoadForAdmin(parse);
            if (LocalAdminClient.TryCreate(config) is { } running)
            {
                running.Dispose();
                throw new ConfigurationException("restore", "the node is running; stop it first (systemctl stop quantumedge)");
            }

            var dir = DirectoryArgument(parse.GetValue(from), "--from");
            if (!Directory.Exists(dir))
            {
                throw new ConfigurationException("--from", File.Exists(dir)
                    ? $"'{dir}' is a file; name the directory 'quantumedge backup' wrote"
                    : $"'{dir}' does not exist");
            }

            var code = await RestoreGuard.RestoreAsync(dir, config, parse.GetValue(force), ct);
            if (code == ExitCodes.Ok)
            {
                await Console.Out.WriteLineAsync(Hosting.BackupExtras.RestoreState(dir, config));
            }

            // The federation directory is not part of a backup and is never put back (see FederationAfterRestore).
            if (code == ExitCodes.Ok && await FederationAfterRestore.DescribeAsync(config) is { } federation)
            {
                await Console.Out.WriteAsync(federation);
            }

            return code;
        });
        return command;
    }

    public static Command Keygen()
    {
        var output = new Option<string>("--output-dir") { Description = "Directory for quantum_private.pem (0600) and quantum_public.pem (0644).", Required = true };
        var command = new Command("keygen", "Generate the node's Ed25519 identity key pair (signs audit checkpoints and federation messages).") { output };
        command.SetAction(parse =>
        {
            var dir = Path.GetFullPath(parse.GetValue(output)!);
            if (File.Exists(Path.Combine(dir, "quantum_private.pem")))
            {
                throw new ConfigurationException("--output-dir", $"'{dir}' already holds quantum_private.pem; refusing to overwrite a node identity");
            }

            Directory.CreateDirectory(dir);
            using var identity = QuantumEdge.Ledger.Crypto.NodeIdentity.Generate();
            identity.Save(dir);
            Console.Out.WriteLine(new StringBuilder()
                .Append("wrote ").Append(Path.Combine(dir, "quantum_private.pem")).Append(" (0600) and quantum_public.pem (0644)\n")
                .Append("fingerprint ").Append(identity.Fingerprint).ToString());
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string DirectoryArgument(string? value, string option) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new ConfigurationException(option, "is empty; name a directory")
            : Path.GetFullPath(value);
}
