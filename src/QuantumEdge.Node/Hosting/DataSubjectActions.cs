using System.Globalization;
using System.Text.Json;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// GDPR data-subject export and erasure (<c>compliance.enable_gdpr_compliance</c>), shared by the admin HTTP endpoints,
/// the local admin socket and the CLI: both audited (the export too: reading what the node holds about someone is an
/// access), both refused while the switch is off.
/// </summary>
internal static class DataSubjectActions
{
    /// <summary>Most audit records one export lists (then <c>truncated</c> is true).</summary>
    public const int MaxRecords = 100_000;

    public const int MaxUserLength = 256;

    /// <summary>Why the action is refused on this node, or null.</summary>
    public static string? Refusal(NodeConfiguration config) => config.Compliance.EnableGdprCompliance
        ? null
        : "compliance.enable_gdpr_compliance is false on this node: data-subject export and erasure are off";

    /// <summary>Why <paramref name="user"/> is not a usable user id, or null.</summary>
    public static string? BadUser(string? user) =>
        string.IsNullOrWhiteSpace(user) ? "'user' is required"
        : user.Length > MaxUserLength ? $"'user' is longer than {MaxUserLength} characters"
        : null;

    public static async Task<byte[]> ExportAsync(IPrivacyLedger ledger, string user, AdminActor actor, CancellationToken ct)
    {
        var export = await ledger.ExportDataSubjectAsync(user, MaxRecords, ct).ConfigureAwait(false);
        await ledger.RecordAsync(new AuditEntry
        {
            EventType = AuditEventType.Admin,
            RequestId = actor.RequestId,
            UserId = actor.UserId,
            Role = actor.Role,
            Department = actor.Department,
            Decision = AuditDecisions.AdminDataSubjectExport,
            Detail = string.Create(CultureInfo.InvariantCulture,
                $"target_user_hmac={export.Pseudonym};budget_rows={export.BudgetRows.Count};audit_records={export.AuditRecords.Count};reason={actor.Reason}"),
        }, ct).ConfigureAwait(false);
        return Render(export);
    }

    public static async Task<byte[]> EraseAsync(IPrivacyLedger ledger, string user, AdminActor actor, CancellationToken ct)
    {
        var erasure = await ledger.EraseDataSubjectAsync(user, actor, ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("pseudonym", erasure.Pseudonym);
            json.WriteNumber("budget_rows_erased", erasure.BudgetRowsErased);
            json.WriteStartArray("days");
            foreach (var day in erasure.Days)
            {
                json.WriteStringValue(day);
            }

            json.WriteEndArray();
            json.WriteNumber("audit_seq", erasure.AuditSeq);
            json.WriteString("kept", "audit records (the legally required trail; they name the user only by pseudonym and encrypted id)");
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads the actor's reason the way the budget reset does: short, and never required.</summary>
    public static string Reason(string? reason) => (reason ?? "").Length > 200 ? reason![..200] : reason ?? "";

    private static byte[] Render(DataSubjectExport export)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("pseudonym", export.Pseudonym);
            json.WriteStartArray("budget_rows");
            foreach (var b in export.BudgetRows)
            {
                json.WriteStartObject();
                json.WriteString("day", b.DayKey);
                json.WriteString("department", b.Department);
                json.WriteNumber("queries", b.State.Queries);
                json.WriteNumber("spent", Math.Round(b.Spent, 9));
                json.WriteNumber("budget", b.Budget);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("audit_records");
            foreach (var r in export.AuditRecords)
            {
                var e = r.Entry;
                json.WriteStartObject();
                json.WriteNumber("seq", r.Seq);
                json.WriteString("time", r.Time);
                json.WriteString("event", e.EventType == AuditEventType.Admin ? "admin" : "request");
                json.WriteString("request_id", e.RequestId);
                json.WriteString("decision", e.Decision);
                json.WriteString("role", e.Role);
                json.WriteString("department", e.Department);
                json.WriteString("classification", e.Classification);
                json.WriteString("model", e.Model);
                json.WriteString("backend", e.Backend);
                json.WriteNumber("http_status", e.HttpStatus);
                json.WriteNumber("prompt_tokens", e.PromptTokens);
                json.WriteNumber("completion_tokens", e.CompletionTokens);
                json.WriteNumber("epsilon_charged", e.EpsilonCharged);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteBoolean("truncated", export.Truncated);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
