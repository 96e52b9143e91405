using System.CommandLine;
using System.Security.Cryptography;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Node.Incident;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// <c>quantumedge incident collect --since 1h -o FILE</c> (from the running node, over its admin
/// socket: FILE and its detached signature FILE.sig) and <c>incident verify FILE</c> (checks FILE.sig
/// against the node's public key).
/// </summary>
internal static class IncidentCommand
{
    public static Command Create()
    {
        var since = new Option<string>("--since") { Description = "How far back, e.g. 30m, 1h, 2d.", DefaultValueFactory = _ => "1h" };
        var output = new Option<string>("--output", "-o") { Description = "The bundle file to create (FILE.sig is written beside it).", Required = true };
        var collect = new Command("collect", "Collect a signed incident bundle from the running node: audit records of the window (users pseudonymous), privacy report (incident mode), masked config, metrics, emergency state, audit verification.")
        {
            since, output,
        };
        collect.SetAction(async (parse, ct) =>
        {
            var window = Durations.Parse("--since", parse.GetValue(since)!);
            if (window <= TimeSpan.Zero || window > IncidentEndpoints.MaxWindow)
            {
                throw new ConfigurationException("--since", $"must be between 1s and {IncidentEndpoints.MaxWindow.TotalDays:0}d");
            }

            var file = Path.GetFullPath(parse.GetValue(output)!);
            if (File.Exists(file) || File.Exists(file + ".sig"))
            {
                throw new ConfigurationException("--output", $"'{file}' or its .sig already exists; choose a new name");
            }

            var config = ConfigSource.LoadForAdmin(parse);
            using var admin = LocalAdminClient.TryCreate(config)
                ?? throw new NodeNotRunningException($"no node is running on {Hosting.LocalAdminServer.SocketFor(config)}: incident collect asks the running node (start it, or pass the --config it runs with)");
            using var response = await admin.SendAsync(HttpMethod.Get, $"/local/incident?since={(long)window.TotalSeconds}", ct);
            if (!response.IsSuccessStatusCode || !response.Headers.TryGetValues(IncidentBundle.SignatureHeader, out var signatures))
            {
                await Console.Error.WriteLineAsync($"quantumedge: the node refused ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(ct)}");
                return ExitCodes.Failure;
            }

            await using (var sink = PrivateOutputFile.Create(file, FileMode.CreateNew))
            {
                await response.Content.CopyToAsync(sink, ct);
            }

            await PrivateOutputFile.WriteNewAsync(file + ".sig", signatures.First() + "\n", ct);
            await Console.Out.WriteLineAsync($"wrote {file} and {file}.sig; check with 'quantumedge incident verify {file}'");
            return ExitCodes.Ok;
        });

        var bundle = new Argument<string>("file") { Description = "The bundle (FILE.sig beside it)." };
        var publicKey = new Option<string?>("--public-key") { Description = "The node's quantum_public.pem (default: the one in the configured node key directory)." };
        var verify = new Command("verify", "Check an incident bundle's signature against the node's public key; exit 1 when it does not verify.") { bundle, publicKey };
        verify.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(bundle)!;
            if (!File.Exists(file))
            {
                // Checked before the key, so that a mistyped bundle is named as such and not as a missing key or signature.
                throw new ConfigurationException("FILE", Directory.Exists(file)
                    ? $"'{file}' is a directory, not an incident bundle"
                    : $"the incident bundle '{file}' does not exist");
            }

            var keyPath = parse.GetValue(publicKey);
            if (keyPath is null)
            {
                var config = ConfigSource.LoadForAdmin(parse);
                var dir = config.Storage.NodeKeyDir ?? NodeIdentity.GeneratedKeyDirectory(config.Storage.ResolveLedgerDir(config.Node));
                keyPath = Path.Combine(dir, NodeIdentity.PublicKeyFileName);
            }

            if (!File.Exists(keyPath))
            {
                throw new ConfigurationException("--public-key",
                    $"the node's public key '{keyPath}' does not exist: pass the node's quantum_public.pem with --public-key, or its configuration with --config");
            }

            using var key = NodeIdentity.LoadPublic(keyPath);
            if (!File.Exists(file + ".sig"))
            {
                await Console.Error.WriteLineAsync($"quantumedge: {file}.sig does not exist: the bundle has no signature beside it and cannot be verified");
                return ExitCodes.Failure;
            }

            byte[] signature;
            try
            {
                signature = Convert.FromBase64String((await File.ReadAllTextAsync(file + ".sig", ct)).Trim());
            }
            catch (FormatException)
            {
                await Console.Error.WriteLineAsync($"quantumedge: {file}.sig is not a base64 signature");
                return ExitCodes.Failure;
            }

            byte[] digest;
            await using (var read = File.OpenRead(file))
            {
                digest = await SHA256.HashDataAsync(read, ct);
            }

            if (!key.Verify(IncidentBundle.SignedMessage(digest), signature))
            {
                await Console.Error.WriteLineAsync($"quantumedge: {file}: the signature does not verify with the node key {key.Fingerprint} (altered, or from another node)");
                return ExitCodes.Failure;
            }

            await Console.Out.WriteLineAsync($"{file}: signature OK (node key {key.Fingerprint}, sha256 {Convert.ToHexStringLower(digest)})");
            return ExitCodes.Ok;
        });

        return new Command("incident", "Incident response: signed evidence bundles.") { collect, verify };
    }
}
