using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Prometheus;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Emergency;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Node.Incident;

/// <summary>
/// <c>incident collect</c>: one JSON file for an incident responder — the audit records of the
/// window (users as HMAC pseudonyms, never prompt text), the privacy report's figures in incident
/// mode, the masked effective configuration, a metrics snapshot, the emergency state, the audit
/// verification result, and the window's lines of <c>logging.file</c> when it is set — plus a detached Ed25519 signature by the node
/// key over <c>quantumedge-incident/1\n</c> + the hex SHA-256 of the file, checked by
/// <c>quantumedge incident verify FILE</c>. Written to a temp file in the data directory so memory
/// stays bounded whatever the window holds.
/// </summary>
internal sealed class IncidentBundle(NodeConfiguration config, IPrivacyLedger ledger, EmergencyControls emergency, CollectorRegistry metrics, Func<string, string> pseudonym)
{
    public const string Format = "quantumedge-incident/1";
    public const int MaxRecords = 500_000;
    public const string SignatureHeader = "X-QuantumEdge-Incident-Signature";

    public IPrivacyLedger Ledger => ledger;

    /// <summary>Where bundles are assembled before they are sent (the data directory: private, and on the node's own disk).</summary>
    public string WorkDirectory => config.Node.DataDir;

    /// <summary>What is signed: the format line and the file's SHA-256, so a large bundle need not be held in memory to sign or verify.</summary>
    public static byte[] SignedMessage(ReadOnlySpan<byte> sha256) => Encoding.ASCII.GetBytes(Format + "\n" + Convert.ToHexStringLower(sha256));

    /// <summary>Writes the bundle to <paramref name="path"/>; returns its signature (base64).</summary>
    public async Task<string> WriteAsync(string path, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        await using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("node_id", config.Node.Id);
            json.WriteString("node_key_fingerprint", ledger.NodeIdentity.Fingerprint);
            json.WriteString("generated_at", Stamp(DateTimeOffset.UtcNow));
            json.WriteStartObject("window");
            json.WriteString("from", Stamp(from));
            json.WriteString("to", Stamp(to));
            json.WriteEndObject();

            var verification = await ledger.VerifyAsync(ct).ConfigureAwait(false);
            json.WriteStartObject("audit_verification");
            json.WriteBoolean("valid", verification.IsValid);
            json.WriteString("result", verification.ToString());
            json.WriteEndObject();

            json.WriteStartObject("emergency_state");
            json.WriteBoolean("locked_down", emergency.LockedDown);
            json.WriteBoolean("config_lockdown", emergency.ConfigLockdown);
            json.WriteBoolean("halted", emergency.Halted);
            json.WriteString("all_tokens_revoked_before", emergency.State.AllRevokedBefore is { } all ? Stamp(all) : null);
            json.WriteNumber("users_revoked", emergency.State.SubjectsRevokedBefore.Count);
            json.WriteString("state_problem", emergency.StateProblem);
            json.WriteEndObject();

            var report = await ledger.ReportAsync(from, to, incidentMode: true, ct).ConfigureAwait(false);
            json.WriteStartObject("privacy_report");
            json.WriteBoolean("incident_mode", true);
            json.WriteNumber("requests", report.Requests);
            json.WriteNumber("admitted", report.Admitted);
            json.WriteNumber("refusals", report.Refusals);
            json.WriteNumber("refunds", report.Refunds);
            json.WriteStartObject("refusals_by_decision");
            foreach (var (decision, count) in report.RefusalsByDecision)
            {
                json.WriteNumber(decision, count);
            }

            json.WriteEndObject();
            json.WriteStartArray("departments");
            foreach (var d in report.Departments)
            {
                json.WriteStartObject();
                json.WriteString("department", d.Department);
                json.WriteNumber("users", d.Users);
                json.WriteNumber("admitted_queries", d.AdmittedQueries);
                json.WriteNumber("refusals", d.Refusals);
                json.WriteNumber("epsilon_charged", d.EpsilonCharged);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteRecords(json, "recent_refusals", report.RecentRefusals);
            WriteRecords(json, "recent_admin_actions", report.RecentAdminActions);
            json.WriteEndObject();

            json.WriteStartArray("audit_records");
            long after = 0, written = 0;
            var truncated = false;
            while (!truncated)
            {
                var page = await ledger.ReadAuditAsync(after, 1000, ct).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    break;
                }

                foreach (var r in page)
                {
                    if (r.Time >= from && r.Time < to)
                    {
                        if (written == MaxRecords)
                        {
                            truncated = true;
                            break;
                        }

                        WriteRecord(json, r);
                        written++;
                    }
                }

                after = page[^1].Seq;
                await json.FlushAsync(ct).ConfigureAwait(false);
            }

            json.WriteEndArray();
            json.WriteNumber("audit_records_count", written);
            json.WriteBoolean("audit_records_truncated", truncated);

            json.WriteString("effective_config", ConfigurationPrinter.Print(config));
            using (var snapshot = new MemoryStream())
            {
                await metrics.CollectAndExportAsTextAsync(snapshot, ct).ConfigureAwait(false);
                json.WriteString("metrics", Encoding.UTF8.GetString(snapshot.GetBuffer(), 0, (int)snapshot.Length));
            }

            if (config.Logging.File is { } logFile)
            {
                var (lines, logsTruncated, files) = IncidentLogLines.Read(logFile, config.Logging.MaxFiles, from, to);
                var kept = logsTruncated ? string.Create(inv, $"; only the newest {IncidentLogLines.MaxBytes / (1024 * 1024)} MiB kept") : "";
                json.WriteString("logs", string.Create(inv, $"{lines.Count} lines of the window from logging.file ({string.Join(", ", files)}){kept}"));
                json.WriteBoolean("log_lines_truncated", logsTruncated);
                json.WriteStartArray("log_lines");
                foreach (var line in lines)
                {
                    json.WriteStringValue(line);
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteString("logs", "logging.file is not set, so this node writes no log files: its logs go to standard output (journald); collect them with "
                    + string.Create(inv, $"'journalctl -u quantumedge --since \"{from.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC\"'"));
            }

            json.WriteEndObject();
        }

        byte[] digest;
        await using (var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            digest = await SHA256.HashDataAsync(read, ct).ConfigureAwait(false);
        }

        return Convert.ToBase64String(ledger.NodeIdentity.Sign(SignedMessage(digest)));
    }

    private void WriteRecords(Utf8JsonWriter json, string name, IReadOnlyList<AuditRecord> records)
    {
        json.WriteStartArray(name);
        foreach (var r in records)
        {
            WriteRecord(json, r);
        }

        json.WriteEndArray();
    }

    private void WriteRecord(Utf8JsonWriter json, AuditRecord r)
    {
        var e = r.Entry;
        json.WriteStartObject();
        json.WriteNumber("seq", r.Seq);
        json.WriteString("time", Stamp(r.Time));
        json.WriteString("event_type", e.EventType == AuditEventType.Admin ? "admin" : "request");
        json.WriteString("request_id", e.RequestId);
        // Pseudonymous: the same HMAC as a per-user token revocation, so a responder can match the two.
        json.WriteString("user_hmac", e.UserId is { } user ? pseudonym(user) : null);
        json.WriteString("role", e.Role);
        json.WriteString("department", e.Department);
        json.WriteString("classification", e.Classification);
        json.WriteString("backend", e.Backend);
        json.WriteString("model", e.Model);
        json.WriteNumber("http_status", e.HttpStatus);
        json.WriteString("decision", e.Decision);
        json.WriteNumber("epsilon_charged", e.EpsilonCharged);
        json.WriteString("detail", e.Detail);
        json.WriteString("hash", r.Hash);
        json.WriteEndObject();
    }

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
