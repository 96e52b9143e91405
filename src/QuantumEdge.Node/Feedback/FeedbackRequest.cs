using System.Globalization;
using System.Text.Json;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Feedback;

/// <summary>
/// The body of <c>POST /v1/feedback</c>, read strictly: one JSON object with exactly the members
/// <c>completion_id</c> (string), <c>score</c> (a number in [-1, 1]; a 0..1 scale is a subset) and
/// <c>category</c> (one of the node's task categories). Unknown or repeated members are refused:
/// a repeated key could make two readers of the same body see different feedback.
/// </summary>
internal sealed record FeedbackRequest(string CompletionId, double Score, string Category)
{
    /// <summary>Bodies above this are refused before parsing.</summary>
    public const int MaxBytes = 4096;

    /// <summary>Longest completion id accepted (the node's own are 35 characters).</summary>
    public const int MaxCompletionIdLength = 128;

    /// <summary>The request, or the problem with it as a message naming the member.</summary>
    public static (FeedbackRequest? Request, string? Problem) Parse(ReadOnlySpan<byte> body, IReadOnlyList<string> categories)
    {
        if (body.Length > MaxBytes)
        {
            return (null, $"body is larger than {MaxBytes} bytes");
        }

        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return (null, "body is not valid UTF-8");
        }

        string? completionId = null;
        string? category = null;
        double? score = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 4 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, "body must be a JSON object");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                if (!seen.Add(name))
                {
                    return (null, $"duplicate key '{MessageText.Shorten(name)}'");
                }

                reader.Read();
                switch (name)
                {
                    case "completion_id" when reader.TokenType == JsonTokenType.String:
                        completionId = reader.GetString();
                        break;
                    case "category" when reader.TokenType == JsonTokenType.String:
                        category = reader.GetString();
                        break;
                    case "score" when reader.TokenType == JsonTokenType.Number:
                        score = reader.TryGetDouble(out var d) && double.IsFinite(d) ? d : double.NaN;
                        break;
                    case "completion_id" or "category" or "score":
                        return (null, $"'{name}' must be a {(name == "score" ? "number" : "string")}");
                    default:
                        return (null, $"unknown key '{MessageText.Shorten(name)}' (expected completion_id, score, category)");
                }
            }

            if (reader.Read())
            {
                return (null, "data after the end of the JSON object");
            }
        }
        catch (JsonException e)
        {
            return (null, "body is not valid JSON: " + e.Message.Split('.')[0]);
        }
        catch (InvalidOperationException)
        {
            // GetString of a key or value escaping half of a UTF-16 pair ("\ud800"): well-formed JSON no string can hold.
            return (null, "body holds a string that is not valid Unicode text (a lone UTF-16 surrogate escape?)");
        }

        if (string.IsNullOrEmpty(completionId))
        {
            return (null, "'completion_id' is required");
        }

        if (completionId.Length > MaxCompletionIdLength)
        {
            return (null, $"'completion_id' is longer than {MaxCompletionIdLength} characters");
        }

        if (score is not { } s)
        {
            return (null, "'score' is required");
        }

        if (double.IsNaN(s) || s < -1 || s > 1)
        {
            return (null, "'score' must be a number between -1 and 1 (a 0..1 scale is accepted as it is)");
        }

        if (category is null)
        {
            return (null, "'category' is required");
        }

        if (!categories.Contains(category, StringComparer.Ordinal))
        {
            return (null, string.Create(CultureInfo.InvariantCulture,
                $"'category' must be one of {string.Join(", ", categories)}; got '{MessageText.Shorten(category)}'"));
        }

        // -0 is a JSON number that parses to negative zero; it is the same rating as 0, so it is audited and echoed as 0.
        return (new FeedbackRequest(completionId, s == 0 ? 0 : s, category), null);
    }
}
