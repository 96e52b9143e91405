using System.Buffers;
using System.Globalization;
using System.Text.Json;
using QuantumEdge.Federation.Canonical;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Store;
using QuantumEdge.Federation.Witness;

namespace QuantumEdge.Federation.Http;

/// <summary>
/// The JSON bodies of the federation endpoints, written by the handlers and read by the
/// clients (HTTP or in-memory) — one definition of the wire format, bounded on both sides.
/// </summary>
internal static class FederationWire
{
    /// <summary>Most origins accepted in one digest.</summary>
    public const int MaxDigestOrigins = 1024;

    /// <summary>Most envelopes per pull page.</summary>
    public const int MaxPullEnvelopes = 32;

    /// <summary>About the most envelope bytes per pull page (always at least one envelope).</summary>
    public const int MaxPullBytes = 1024 * 1024;

    /// <summary>Largest response body a client reads.</summary>
    public const int MaxResponseBytes = 4 * 1024 * 1024;

    private static readonly CanonicalJsonLimits PageLimits = new()
    {
        MaxBytes = MaxResponseBytes,
        MaxDepth = CanonicalJsonLimits.Default.MaxDepth + 2,
        MaxValues = 200_000,
        MaxStringLength = CanonicalJsonLimits.Default.MaxStringLength,
    };

    internal static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static byte[] Error(int status, string reason, string message) => Json(json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteNumber("status", status);
        json.WriteString("reason", reason);
        json.WriteString("message", message);
        json.WriteEndObject();
        json.WriteEndObject();
    });

    /// <summary>Reads a push response; a refusal's reason is taken from its error body.</summary>
    public static PushResponse ReadPushResponse(int status, ReadOnlySpan<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            var root = doc.RootElement;
            if (status == 202)
            {
                WitnessReceipt? receipt = null;
                if (root.TryGetProperty("receipt", out var r) && r.ValueKind == JsonValueKind.Object
                    && WitnessReceipt.TryRead(System.Text.Encoding.UTF8.GetBytes(r.GetRawText()), out var read, out _))
                {
                    receipt = read;
                }

                return new PushResponse(status, null, receipt);
            }

            var reason = root.TryGetProperty("error", out var e) && e.TryGetProperty("reason", out var rr) ? rr.GetString() : null;
            return new PushResponse(status, reason, null);
        }
        catch (JsonException ex)
        {
            throw new FederationTransportException("push response is not JSON", ex);
        }
    }

    /// <summary>Reads a digest body: origin → (epoch, seq); entries that are not valid are an error.</summary>
    public static PeerDigest ReadDigest(ReadOnlySpan<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            var result = new Dictionary<string, DigestEntry>(StringComparer.Ordinal);
            WitnessReceipt? receipt = null;
            if (doc.RootElement.TryGetProperty("receipt", out var r) && r.ValueKind == JsonValueKind.Object
                && WitnessReceipt.TryRead(System.Text.Encoding.UTF8.GetBytes(r.GetRawText()), out var read, out _))
            {
                receipt = read;
            }

            foreach (var origin in doc.RootElement.GetProperty("origins").EnumerateObject())
            {
                if (result.Count >= MaxDigestOrigins)
                {
                    throw new FederationTransportException($"digest holds more than {MaxDigestOrigins} origins");
                }

                if (!NodeId.IsValid(origin.Name))
                {
                    continue;
                }

                var epoch = origin.Value.GetProperty("epoch").GetInt64();
                var seq = origin.Value.GetProperty("seq").GetInt64();
                var hash = origin.Value.TryGetProperty("hash", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
                if (hash is not null && (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower)))
                {
                    hash = null;
                }

                if (epoch >= 1 && seq >= 1)
                {
                    result[origin.Name] = new DigestEntry(epoch, seq, hash);
                }
            }

            return new PeerDigest(result, receipt);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FederationTransportException("digest response is malformed: " + ex.Message, ex);
        }
    }

    /// <summary>Reads a pull page into the envelopes' canonical bytes (each is verified on submission).</summary>
    public static IReadOnlyList<byte[]> ReadPullPage(ReadOnlySpan<byte> body)
    {
        if (!CanonicalJson.TryParse(body, PageLimits, out var root, out var error, out var detail))
        {
            throw new FederationTransportException($"pull response refused ({error}): {detail}");
        }

        var list = root.Kind == CanonicalKind.Object ? root.Get("envelopes") : null;
        if (list is null || list.Kind != CanonicalKind.Array || list.Items.Count > MaxPullEnvelopes)
        {
            throw new FederationTransportException($"pull response must hold \"envelopes\": an array of at most {MaxPullEnvelopes}");
        }

        return list.Items.Select(CanonicalJson.Serialize).ToList();
    }

    internal static string Query(string origin, long epoch, long afterSeq) => string.Create(CultureInfo.InvariantCulture,
        $"origin={Uri.EscapeDataString(origin)}&after_seq={afterSeq}&epoch={epoch}");
}
