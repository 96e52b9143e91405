using System.Text.Json;

namespace QuantumEdge.Gateway.Lending;

/// <summary>
/// The body a borrower sends to a lender: the request as parsed, minus the OpenAI fields that can
/// name the caller (<c>user</c>, <c>metadata</c>, <c>safety_identifier</c>, <c>prompt_cache_key</c>),
/// so the lender learns nothing about who asked.
/// </summary>
internal static class LentBody
{
    private static readonly string[] CallerFields = ["user", "metadata", "safety_identifier", "prompt_cache_key"];

    public static byte[] WithoutCallerFields(byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !CallerFields.Any(f => root.TryGetProperty(f, out _)))
        {
            return body;
        }

        using var buffer = new MemoryStream(body.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                if (!CallerFields.Contains(property.Name, StringComparer.Ordinal))
                {
                    property.WriteTo(json);
                }
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
