using System.Text.Json;

namespace QuantumEdge.Ledger.Backup;

/// <summary>One file of a backup with its SHA-256.</summary>
public sealed record BackupFile(string Name, long Length, string Sha256);

/// <summary>The manifest.json of a backup directory.</summary>
public sealed record BackupManifest
{
    public const string FileName = "manifest.json";

    /// <summary>The manifest format this build writes and the only one it restores.</summary>
    public const int Format = 1;

    // A manifest with a key twice is not one this build wrote: which of the two would count is a guess.
    private static readonly JsonDocumentOptions ParseOptions = new() { AllowDuplicateProperties = false };

    public required DateTimeOffset CreatedAt { get; init; }
    public required long LastSeq { get; init; }
    public required string LastHash { get; init; }
    public required string NodeFingerprint { get; init; }
    public required IReadOnlyList<BackupFile> Files { get; init; }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("format", Format);
            json.WriteString("created_at", CreatedAt);
            json.WriteNumber("last_seq", LastSeq);
            json.WriteString("last_hash", LastHash);
            json.WriteString("node_fingerprint", NodeFingerprint);
            json.WriteStartArray("files");
            foreach (var file in Files)
            {
                json.WriteStartObject();
                json.WriteString("name", file.Name);
                json.WriteNumber("length", file.Length);
                json.WriteString("sha256", file.Sha256);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static BackupManifest Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray(), ParseOptions);
            var root = doc.RootElement;
            // A later format may move or add what restore must check; reading it as this one would restore it wrongly.
            if (!root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.Number || !format.TryGetInt32(out var version) || version != Format)
            {
                var found = root.TryGetProperty("format", out var f) ? f.GetRawText() : "none";
                throw new LedgerCorruptException($"The backup manifest has format {(found.Length > 16 ? found[..16] + "…" : found)}; this build restores format {Format} only (a backup written by another version of quantumedge is restored with that version).");
            }

            var files = new List<BackupFile>();
            foreach (var file in root.GetProperty("files").EnumerateArray())
            {
                files.Add(new BackupFile(
                    file.GetProperty("name").GetString() ?? "",
                    file.GetProperty("length").GetInt64(),
                    file.GetProperty("sha256").GetString() ?? ""));
            }

            return new BackupManifest
            {
                CreatedAt = root.GetProperty("created_at").GetDateTimeOffset(),
                LastSeq = root.GetProperty("last_seq").GetInt64(),
                LastHash = root.GetProperty("last_hash").GetString() ?? "",
                NodeFingerprint = root.GetProperty("node_fingerprint").GetString() ?? "",
                Files = files,
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new LedgerCorruptException($"The backup manifest is unreadable: {ex.Message}", ex);
        }
    }
}
