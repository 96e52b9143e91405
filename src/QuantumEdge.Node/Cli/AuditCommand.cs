using System.CommandLine;
using System.Globalization;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Node.Cli;

/// <summary><c>quantumedge audit verify</c> and <c>audit export</c>.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var witnesses = new Option<bool>("--witnesses")
        {
            Description = "Also check the chain against the audit heads federation peers witnessed (their signed receipts): exit 1 naming a rolled-back or rewritten head. Reads the ledger directly: stop the node first.",
        };
        var verify = new Command("verify", "Check every audit record, the hash chain and every signature; exit 1 naming the first bad record.") { witnesses };
        verify.SetAction(async (parse, ct) =>
        {
            var config = ConfigSource.LoadForAdmin(parse);
            if (parse.GetValue(witnesses))
            {
                return await WitnessVerification.RunAsync(config, ct);
            }

            using var admin = LocalAdminClient.TryCreate(config);
            if (admin is not null)
            {
                using var response = await admin.SendAsync(HttpMethod.Post, "/local/audit/verify", ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                await Console.Out.WriteLineAsync(text);
                return response.IsSuccessStatusCode ? ExitCodes.Ok : ExitCodes.Failure;
            }

            await using var ledger = LedgerFactory.OpenForReading(config);
            var result = await ledger.VerifyAsync();
            await Console.Out.WriteLineAsync(result.ToString());
            return result.IsValid ? ExitCodes.Ok : ExitCodes.Failure;
        });

        var from = new Option<string?>("--from") { Description = "Start time (ISO 8601, UTC if no offset); default: the beginning." };
        var to = new Option<string?>("--to") { Description = "End time, exclusive; default: now." };
        var format = new Option<string>("--format") { Description = "jsonl or csv.", DefaultValueFactory = _ => "jsonl" };
        var output = new Option<string?>("--output", "-o") { Description = "File to write (default: standard output)." };
        var export = new Command("export", "Export audit records between two times as JSON lines or CSV (user and department decrypted; never prompt text).")
        {
            from, to, format, output,
        };
        export.SetAction(async (parse, ct) =>
        {
            var config = ConfigSource.LoadForAdmin(parse);
            var start = Time(parse.GetValue(from), "--from", DateTimeOffset.MinValue);
            var end = Time(parse.GetValue(to), "--to", DateTimeOffset.MaxValue);
            RequireOrdered(start, end);
            PrivateOutputFile.RefuseDirectory(parse.GetValue(output));
            var f = parse.GetValue(format)!.ToLowerInvariant() switch
            {
                "jsonl" => AuditExportFormat.Jsonl,
                "csv" => AuditExportFormat.Csv,
                var other => throw new ConfigurationException("--format", $"'{other}' is not jsonl or csv"),
            };
            using var admin = LocalAdminClient.TryCreate(config);
            if (admin is not null)
            {
                await using var remoteSink = OpenSink(parse.GetValue(output));
                var query = $"/local/audit/export?format={(f == AuditExportFormat.Csv ? "csv" : "jsonl")}&from={Uri.EscapeDataString(start.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(end.ToString("O", CultureInfo.InvariantCulture))}";
                using var response = await admin.SendAsync(HttpMethod.Get, query, ct);
                await response.Content.CopyToAsync(remoteSink, ct);
                return response.IsSuccessStatusCode ? ExitCodes.Ok : ExitCodes.Failure;
            }

            // The ledger first: a missing one is an error before any output file is created.
            await using var ledger = LedgerFactory.OpenForReading(config);
            await using var sink = OpenSink(parse.GetValue(output));
            var count = await ledger.ExportAsync(sink, start, end, f, ct);
            await Console.Error.WriteLineAsync($"exported {count} records");
            return ExitCodes.Ok;
        });

        return new Command("audit", "The tamper-evident audit trail.") { verify, export };
    }

    private static Stream OpenSink(string? path) => path is null ? Console.OpenStandardOutput() : PrivateOutputFile.Create(path);

    /// <summary>A window that ends before it starts selects nothing: a typo, refused rather than answered with an empty report.</summary>
    internal static void RequireOrdered(DateTimeOffset start, DateTimeOffset end)
    {
        if (start > end)
        {
            throw new ConfigurationException("--from", $"{start:O} is later than --to {end:O}");
        }
    }

    internal static DateTimeOffset Time(string? text, string option, DateTimeOffset fallback) =>
        text is null
            ? fallback
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                ? t
                : throw new ConfigurationException(option, $"'{text}' is not a date/time such as 2026-11-26 or 2026-11-26T08:00:00Z");
}
