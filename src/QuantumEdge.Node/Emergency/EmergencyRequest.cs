using System.Globalization;
using System.Text.Json;

namespace QuantumEdge.Node.Emergency;

/// <summary>
/// The small JSON body of an emergency endpoint, e.g. <c>{"enabled": true, "reason": "…"}</c> or
/// <c>{"sub": "u", "before": "2026-11-29T08:00:00Z"}</c>. Only the fields the endpoint names are
/// accepted; anything else, a wrong type or an over-long value is refused naming the field.
/// </summary>
internal sealed record EmergencyRequest
{
    public const int MaxBodyBytes = 16 * 1024;
    private const int MaxTextLength = 256;
    private const int MaxReasonLength = 500;

    public bool? Enabled { get; private init; }
    public string? Subject { get; private init; }
    public DateTimeOffset? Before { get; private init; }
    public string Reason { get; private init; } = "";
    public string? Severity { get; private init; }
    public string? Message { get; private init; }

    /// <summary>The request, or null and the problem. An empty body is an empty request.</summary>
    public static (EmergencyRequest? Request, string? Problem) Parse(ReadOnlySpan<byte> body, params string[] allowed)
    {
        if (body.Trim((byte)' ').IsEmpty)
        {
            return (new EmergencyRequest(), null);
        }

        var request = new EmergencyRequest();
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, "the body must be a JSON object");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (Array.IndexOf(allowed, name) < 0)
                {
                    return (null, $"unknown field '{Clip(name)}'; this endpoint takes: {string.Join(", ", allowed)}");
                }

                if (!seen.Add(name))
                {
                    return (null, $"field '{name}' appears more than once");
                }

                reader.Read();
                if (name == "enabled")
                {
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                    {
                        return (null, "'enabled' must be true or false");
                    }

                    request = request with { Enabled = reader.GetBoolean() };
                    continue;
                }

                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    return (null, $"'{name}' must be a string");
                }

                var text = reader.GetString()!;
                var limit = name is "reason" or "message" ? MaxReasonLength : MaxTextLength;
                if (text.Length > limit)
                {
                    return (null, $"'{name}' is longer than {limit} characters");
                }

                switch (name)
                {
                    case "sub":
                        if (string.IsNullOrWhiteSpace(text))
                        {
                            return (null, "'sub' must not be blank (leave it out to revoke everyone's tokens)");
                        }

                        request = request with { Subject = text };
                        break;
                    case "before":
                        if (ParseTime(text) is not { } before)
                        {
                            return (null, $"'before' is not an RFC 3339 time such as 2026-11-29T08:00:00Z: '{Clip(text)}'");
                        }

                        request = request with { Before = before };
                        break;
                    case "reason":
                        request = request with { Reason = text };
                        break;
                    case "severity":
                        request = request with { Severity = text };
                        break;
                    case "message":
                        request = request with { Message = text };
                        break;
                }
            }

            return (request, null);
        }
        catch (JsonException e)
        {
            return (null, $"the body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>RFC 3339 date-time with an explicit offset (<c>Z</c> or <c>±hh:mm</c>); null otherwise.</summary>
    public static DateTimeOffset? ParseTime(string text)
    {
        string[] formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];
        var upper = text.Trim().ToUpperInvariant();
        if (upper.Length < 20 || !(upper.EndsWith('Z') || upper[^6] is '+' or '-'))
        {
            return null;
        }

        return DateTimeOffset.TryParseExact(upper, formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
    }

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
