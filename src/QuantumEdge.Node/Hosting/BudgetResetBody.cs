using System.Text.Json;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// The body of <c>POST /privacy/budgets/reset</c>, read strictly: one JSON object with exactly the
/// string members <c>user</c> and <c>reason</c>. A reset lifts a user's privacy limit, so the audit
/// record must say why: a missing, blank or over-long reason is refused rather than stored empty or
/// cut, and an unknown or repeated member is refused rather than ignored.
/// </summary>
internal static class BudgetResetBody
{
    /// <summary>Longest reason kept in the audit record.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>The request, or the problem with it as a message naming the member.</summary>
    public static (BudgetResetRequest? Request, string? Problem, string? Member) Parse(ReadOnlySpan<byte> body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return (null, "request body is not valid UTF-8", null);
        }

        string? user = null;
        string? reason = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 4 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, "request body must be a JSON object {\"user\": ..., \"reason\": ...}", null);
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                if (!seen.Add(name))
                {
                    return (null, $"duplicate key '{Shorten(name)}' in the request body", Shorten(name));
                }

                reader.Read();
                switch (name)
                {
                    case "user" when reader.TokenType == JsonTokenType.String:
                        user = reader.GetString();
                        break;
                    case "reason" when reader.TokenType == JsonTokenType.String:
                        reason = reader.GetString();
                        break;
                    case "user" or "reason":
                        return (null, $"'{name}' must be a string", name);
                    default:
                        return (null, $"unknown key '{Shorten(name)}' (expected user, reason)", Shorten(name));
                }
            }

            if (reader.Read())
            {
                return (null, "data after the end of the JSON object", null);
            }
        }
        catch (JsonException e)
        {
            return (null, "request body is not valid JSON: " + e.Message.Split('.')[0], null);
        }
        catch (InvalidOperationException)
        {
            // GetString of a value escaping half of a UTF-16 pair ("\ud800"): well-formed JSON no string can hold.
            var member = seen.Contains("reason") && reason is null ? "reason" : seen.Contains("user") && user is null ? "user" : null;
            return (null, $"{(member is null ? "the request body" : $"'{member}'")} holds a string that is not valid Unicode text (a lone UTF-16 surrogate escape?)", member);
        }

        if (DataSubjectActions.BadUser(user) is { } badUser)
        {
            return (null, badUser, "user");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return (null, "'reason' is required: say why this budget is reset (a ticket number, a clinical override); it goes into the audit record", "reason");
        }

        if (reason.Length > MaxReasonLength)
        {
            return (null, $"'reason' is longer than {MaxReasonLength} characters", "reason");
        }

        return (new BudgetResetRequest(user, reason), null, null);
    }

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";
}
