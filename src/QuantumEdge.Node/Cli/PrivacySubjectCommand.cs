using System.CommandLine;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// <c>quantumedge privacy subject export|erase --user U</c>: GDPR data-subject access and erasure
/// (<c>compliance.enable_gdpr_compliance</c>), through the running node's admin socket or, with no node running, on the ledger.
/// </summary>
internal static class PrivacySubjectCommand
{
    public static Command Create() => new("subject", "GDPR data-subject access and erasure (compliance.enable_gdpr_compliance).")
    {
        Verb("export", "Print what the node holds about a user as JSON: pseudonym, budget rows, audit records' metadata (audited).", erase: false),
        Verb("erase", "Erase a user's budget rows (audited; the audit chain stays verifiable; audit records are kept).", erase: true),
    };

    private static Command Verb(string name, string description, bool erase)
    {
        var user = new Option<string>("--user") { Description = "The user's id (the token's sub).", Required = true };
        var reason = new Option<string?>("--reason") { Description = "Why (goes into the audit record; no patient data)." };
        var command = new Command(name, description) { user, reason };
        command.SetAction(async (parse, ct) =>
        {
            var config = ConfigSource.LoadForAdmin(parse);
            var id = parse.GetValue(user)!;
            if ((DataSubjectActions.Refusal(config) ?? DataSubjectActions.BadUser(id)) is { } problem)
            {
                throw new ConfigurationException(DataSubjectActions.Refusal(config) is null ? "--user" : "compliance.enable_gdpr_compliance", problem);
            }

            string json;
            using (var admin = LocalAdminClient.TryCreate(config))
            {
                if (admin is not null)
                {
                    var q = $"/local/privacy/subject{(erase ? "/erase" : "")}?user={Uri.EscapeDataString(id)}&by={Uri.EscapeDataString(Environment.UserName)}&reason={Uri.EscapeDataString(parse.GetValue(reason) ?? "")}";
                    using var response = await admin.SendAsync(erase ? HttpMethod.Post : HttpMethod.Get, q, ct);
                    json = await response.Content.ReadAsStringAsync(ct);
                    if (!response.IsSuccessStatusCode)
                    {
                        await Console.Error.WriteLineAsync($"quantumedge: privacy subject {name} failed: {json}");
                        return ExitCodes.Failure;
                    }
                }
                else
                {
                    var ledgerDir = Path.GetFullPath(config.Storage.ResolveLedgerDir(config.Node));
                    if (!File.Exists(Path.Combine(ledgerDir, "ledger.db")))
                    {
                        // Opening would create an empty ledger (and its directory) just to find nothing in it.
                        throw new ConfigurationException("node.data_dir", $"there is no ledger in '{ledgerDir}' ({config.Source})");
                    }

                    await using var ledger = LedgerFactory.Open(config);
                    var actor = new AdminActor
                    {
                        UserId = Environment.UserName,
                        Role = "operator",
                        RequestId = $"gdpr-{name}-" + Guid.NewGuid().ToString("N"),
                        Reason = DataSubjectActions.Reason(parse.GetValue(reason)),
                    };
                    var bytes = erase
                        ? await DataSubjectActions.EraseAsync(ledger, id, actor, ct)
                        : await DataSubjectActions.ExportAsync(ledger, id, actor, ct);
                    json = System.Text.Encoding.UTF8.GetString(bytes);
                }
            }

            await Console.Out.WriteLineAsync(json);
            return ExitCodes.Ok;
        });
        return command;
    }
}
