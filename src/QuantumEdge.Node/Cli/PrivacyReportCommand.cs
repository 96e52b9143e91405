using System.CommandLine;
using QuantumEdge.Gateway.Privacy;

namespace QuantumEdge.Node.Cli;

/// <summary><c>quantumedge privacy report [--incident-mode]</c>: the privacy audit report.</summary>
internal static class PrivacyReportCommand
{
    public static Command Create()
    {
        var incident = new Option<bool>("--incident-mode") { Description = "Add the last 24 h of refusals and admin actions, for an incident response." };
        var from = new Option<string?>("--from") { Description = "Start time (default: the last 30 days)." };
        var to = new Option<string?>("--to") { Description = "End time (default: now)." };
        var output = new Option<string?>("--output", "-o") { Description = "File to write (default: standard output)." };
        var command = new Command("report", "Write the privacy audit report: spends per department, refusals, admin actions, and the audit verification result.")
        {
            incident, from, to, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var config = ConfigSource.LoadForAdmin(parse);
            var end = AuditCommand.Time(parse.GetValue(to), "--to", DateTimeOffset.UtcNow);
            var start = AuditCommand.Time(parse.GetValue(from), "--from", end.AddDays(-30));
            AuditCommand.RequireOrdered(start, end);
            PrivateOutputFile.RefuseDirectory(parse.GetValue(output));
            string text;
            using (var admin = LocalAdminClient.TryCreate(config))
            {
                if (admin is not null)
                {
                    var q = $"/local/privacy/report?incident={(parse.GetValue(incident) ? "true" : "false")}&from={Uri.EscapeDataString(start.ToString("O"))}&to={Uri.EscapeDataString(end.ToString("O"))}";
                    using var response = await admin.SendAsync(HttpMethod.Get, q, ct);
                    text = await response.Content.ReadAsStringAsync(ct);
                }
                else
                {
                    await using var ledger = LedgerFactory.OpenForReading(config);
                    text = (await ledger.ReportAsync(start, end, parse.GetValue(incident), ct)).RenderText();
                }
            }

            if (parse.GetValue(output) is { } path)
            {
                // In incident mode it lists records with their users: private, as an export is.
                await using (var file = PrivateOutputFile.Create(path))
                {
                    await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct);
                }

                await Console.Error.WriteLineAsync($"privacy report written to {path}");
            }
            else
            {
                await Console.Out.WriteAsync(text);
            }

            return text.Contains("INVALID", StringComparison.Ordinal) ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }
}
