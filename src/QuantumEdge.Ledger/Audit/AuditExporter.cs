using System.Globalization;
using System.Text;
using System.Text.Json;

namespace QuantumEdge.Ledger.Audit;

/// <summary>
/// Writes audit records between two times as JSONL or CSV, user and department decrypted.
/// Reads in chunks through the ledger interface, so the writer is never held for the whole export.
/// </summary>
internal static class AuditExporter
{
    private const int ChunkSize = 2048;

    private static readonly string[] Columns =
    [
        "seq", "time", "event_type", "request_id", "user", "role", "department", "classification", "backend", "model",
        "prompt_tokens", "completion_tokens", "http_status", "latency_ms", "decision", "epsilon_charged", "prompt_hmac",
        "detail", "related_seq", "prev_hash", "hash",
    ];

    public static async Task<long> ExportAsync(IPrivacyLedger ledger, Stream output, DateTimeOffset from, DateTimeOffset to,
        AuditExportFormat format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        long count = 0, after = long.MinValue;
        using var buffer = new MemoryStream();
        if (format == AuditExportFormat.Csv)
        {
            buffer.Write(Encoding.UTF8.GetBytes(string.Join(',', Columns) + "\n"));
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = await ledger.ReadAuditAsync(after, ChunkSize, cancellationToken).ConfigureAwait(false);
            foreach (var record in chunk)
            {
                if (record.Time < from || record.Time >= to)
                {
                    continue;
                }

                if (format == AuditExportFormat.Jsonl)
                {
                    WriteJson(buffer, record);
                }
                else
                {
                    WriteCsv(buffer, record, includeChain: false);
                }

                count++;
            }

            buffer.Position = 0;
            await buffer.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            buffer.SetLength(0);
            if (chunk.Count < ChunkSize)
            {
                break;
            }

            after = chunk[^1].Seq;
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    /// <summary>
    /// Writes records that are already filtered and ordered (several chains merged by time) with a
    /// "chain" field: seq counts within a chain. Flushes every <see cref="ChunkSize"/> records.
    /// </summary>
    public static async Task<long> ExportAsync(IAsyncEnumerable<AuditRecord> records, Stream output, AuditExportFormat format,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        long count = 0;
        using var buffer = new MemoryStream();
        if (format == AuditExportFormat.Csv)
        {
            buffer.Write(Encoding.UTF8.GetBytes(string.Join(',', Columns) + ",chain\n"));
        }

        await foreach (var record in records.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (format == AuditExportFormat.Jsonl)
            {
                WriteJson(buffer, record);
            }
            else
            {
                WriteCsv(buffer, record, includeChain: true);
            }

            if (++count % ChunkSize == 0)
            {
                buffer.Position = 0;
                await buffer.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                buffer.SetLength(0);
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    public static string EventTypeName(AuditEventType type) => type == AuditEventType.Admin ? "admin" : "request";

    private static void WriteJson(MemoryStream buffer, AuditRecord record)
    {
        var e = record.Entry;
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", record.Seq);
            if (record.Chain is { } chain)
            {
                json.WriteString("chain", chain);
            }

            json.WriteString("time", record.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("event_type", EventTypeName(e.EventType));
            json.WriteString("request_id", e.RequestId);
            WriteOptional(json, "user", e.UserId);
            WriteOptional(json, "role", e.Role);
            WriteOptional(json, "department", e.Department);
            WriteOptional(json, "classification", e.Classification);
            WriteOptional(json, "backend", e.Backend);
            WriteOptional(json, "model", e.Model);
            json.WriteNumber("prompt_tokens", e.PromptTokens);
            json.WriteNumber("completion_tokens", e.CompletionTokens);
            json.WriteNumber("http_status", e.HttpStatus);
            json.WriteNumber("latency_ms", e.LatencyMs);
            json.WriteString("decision", e.Decision);
            json.WriteNumber("epsilon_charged", e.EpsilonCharged);
            WriteOptional(json, "prompt_hmac", e.PromptHmac);
            WriteOptional(json, "detail", e.Detail);
            if (e.RelatedSeq is { } related)
            {
                json.WriteNumber("related_seq", related);
            }
            else
            {
                json.WriteNull("related_seq");
            }

            json.WriteString("prev_hash", record.PrevHash);
            json.WriteString("hash", record.Hash);
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteCsv(MemoryStream buffer, AuditRecord record, bool includeChain)
    {
        var e = record.Entry;
        var inv = CultureInfo.InvariantCulture;
        string?[] cells =
        [
            record.Seq.ToString(inv), record.Time.UtcDateTime.ToString("O", inv), EventTypeName(e.EventType), Text(e.RequestId),
            Text(e.UserId), Text(e.Role), Text(e.Department), Text(e.Classification), Text(e.Backend), Text(e.Model),
            e.PromptTokens.ToString(inv), e.CompletionTokens.ToString(inv), e.HttpStatus.ToString(inv), e.LatencyMs.ToString("R", inv),
            Text(e.Decision), e.EpsilonCharged.ToString("R", inv), Text(e.PromptHmac), Text(e.Detail),
            e.RelatedSeq?.ToString(inv) ?? "", record.PrevHash, record.Hash,
        ];
        if (includeChain)
        {
            cells = [.. cells, Text(record.Chain)];
        }

        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            var cell = cells[i] ?? "";
            if (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                line.Append('"').Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                line.Append(cell);
            }
        }

        line.Append('\n');
        buffer.Write(Encoding.UTF8.GetBytes(line.ToString()));
    }

    /// <summary>Text cells starting with a formula character are prefixed so spreadsheets do not evaluate them.</summary>
    private static string Text(string? value) =>
        value is { Length: > 0 } && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value ?? "";
}
