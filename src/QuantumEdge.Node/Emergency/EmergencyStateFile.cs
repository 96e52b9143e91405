using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using QuantumEdge.Gateway.Emergency;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Node.Emergency;

/// <summary>
/// <c>emergency-state.json</c> in the data directory: the emergency switches, signed with the node's
/// Ed25519 key and replaced atomically (temp file, fsync, rename, directory fsync), so after a crash
/// it holds the old or the new state, never a mix. A file that cannot be read, parsed or verified is
/// not trusted: the node starts locked down with every earlier token revoked (fail closed) and keeps
/// the bad file beside it for inspection.
/// </summary>
internal sealed class EmergencyStateFile(string path, NodeIdentity key)
{
    public const string FileName = "emergency-state.json";
    private const string Format = "quantumedge-emergency-state/1";
    private const int MaxBytes = 4 * 1024 * 1024;

    public string Path { get; } = path;

    public static EmergencyStateFile For(string dataDir, NodeIdentity key) => new(System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDir, FileName)), key);

    /// <summary>The persisted state (empty when there is no file), or the fail-closed state and why.</summary>
    public (EmergencyState State, string? Problem) Load(DateTimeOffset now)
    {
        // Something else in the file's place cannot be read either, and fails closed the same way.
        var problem = Directory.Exists(Path) ? "is a directory, not the emergency state file" : null;
        if (problem is null && !File.Exists(Path))
        {
            return (EmergencyState.Empty, null);
        }

        EmergencyState? state = null;
        problem ??= Read(out state);
        if (problem is null)
        {
            return (state!, null);
        }

        return (new EmergencyState { LockedDown = true, LockedDownSince = now, AllRevokedBefore = now, UpdatedAt = now }, $"'{Path}' {problem}");
    }

    /// <summary>Keeps the distrusted file as <c>emergency-state.json.distrusted-…</c> for inspection.</summary>
    public string? SetAsideDistrusted(DateTimeOffset now)
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        var aside = Path + ".distrusted-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        File.Move(Path, aside, overwrite: true);
        return aside;
    }

    public void Write(EmergencyState state)
    {
        var payload = Serialize(state);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("key_fingerprint", key.Fingerprint);
            json.WriteBase64String("payload", payload);
            json.WriteBase64String("signature", key.Sign(payload));
            json.WriteEndObject();
        }

        var directory = System.IO.Path.GetDirectoryName(Path)!;
        FileModes.CreatePrivateDirectory(directory);
        DurableFile.Replace(Path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private string? Read(out EmergencyState? state)
    {
        state = null;
        byte[] bytes;
        try
        {
            var info = new FileInfo(Path);
            if (info.Length > MaxBytes)
            {
                return $"is {info.Length} bytes, more than the {MaxBytes} an emergency state can take";
            }

            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read: {e.Message}";
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
                || format.GetString() != Format)
            {
                return $"is not a {Format} file";
            }

            if (!root.TryGetProperty("payload", out var p) || !p.TryGetBytesFromBase64(out var payload)
                || !root.TryGetProperty("signature", out var s) || !s.TryGetBytesFromBase64(out var signature))
            {
                return "lacks its payload or signature";
            }

            if (!key.Verify(payload, signature))
            {
                return "has a signature that does not verify with this node's key (edited, or written under another key)";
            }

            state = Parse(payload);
            return state is null ? "has a payload that is not an emergency state" : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
        {
            return $"is not a valid emergency state: {e.Message}";
        }
    }

    private static byte[] Serialize(EmergencyState state)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("locked_down", state.LockedDown);
            WriteTime(json, "locked_down_since", state.LockedDownSince);
            json.WriteBoolean("halted", state.Halted);
            WriteTime(json, "halted_since", state.HaltedSince);
            WriteTime(json, "all_revoked_before", state.AllRevokedBefore);
            json.WriteStartObject("subjects_revoked_before");
            foreach (var (subject, before) in state.SubjectsRevokedBefore)
            {
                WriteTime(json, subject, before);
            }

            json.WriteEndObject();
            json.WriteNumber("audit_seq", state.AuditSeq);
            WriteTime(json, "updated_at", state.UpdatedAt);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static EmergencyState? Parse(byte[] payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var r = doc.RootElement;
        if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("subjects_revoked_before", out var subjects) || subjects.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var revoked = ImmutableSortedDictionary.CreateBuilder<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var p in subjects.EnumerateObject())
        {
            revoked[p.Name] = Time(p.Value) ?? throw new FormatException($"revocation of '{p.Name}' has no time");
        }

        return new EmergencyState
        {
            LockedDown = r.GetProperty("locked_down").GetBoolean(),
            LockedDownSince = Time(r.GetProperty("locked_down_since")),
            Halted = r.GetProperty("halted").GetBoolean(),
            HaltedSince = Time(r.GetProperty("halted_since")),
            AllRevokedBefore = Time(r.GetProperty("all_revoked_before")),
            SubjectsRevokedBefore = revoked.ToImmutable(),
            AuditSeq = r.GetProperty("audit_seq").GetInt64(),
            UpdatedAt = Time(r.GetProperty("updated_at")),
        };
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            json.WriteString(name, t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static DateTimeOffset? Time(JsonElement e) => e.ValueKind == JsonValueKind.Null
        ? null
        : DateTimeOffset.ParseExact(e.GetString()!, "O", CultureInfo.InvariantCulture, DateTimeStyles.None);
}
