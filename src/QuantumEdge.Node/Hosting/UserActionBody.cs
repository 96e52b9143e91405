using System.Text.Json;
using QuantumEdge.Gateway.Contracts;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// The body <c>{"user", "reason"}</c> of an admin action on one user (<c>POST /privacy/budgets/reset</c>,
/// <c>POST /privacy/subject/erase</c>), read strictly: one JSON object with only those two string
/// members, each at most once. The reason goes into the audit record whole — an over-long one is
/// refused rather than cut — and a budget reset, which lifts a user's privacy limit, must give one.
/// </summary>
internal static class UserActionBody
{
    /// <summary>Longest reason kept in the audit record.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>The request, or throws a 400 <see cref="GatewayError"/> naming the problem (<c>invalid_json</c> for the JSON itself).</summary>
    public static UserAction Parse(ReadOnlySpan<byte> body, bool reasonRequired)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw Json("request body is not valid UTF-8", null);
        }

        string? user = null;
        string? reason = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 4 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Json("request body must be a JSON object {\"user\": ..., \"reason\": ...}", null);
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                if (!seen.Add(name))
                {
                    throw Json($"duplicate key '{MessageText.Shorten(name)}' in the request body", MessageText.Shorten(name));
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
                        throw GatewayError.BadRequest($"'{name}' must be a string", name);
                    default:
                        throw GatewayError.BadRequest($"unknown key '{MessageText.Shorten(name)}' (expected user, reason)", MessageText.Shorten(name));
                }
            }

            if (reader.Read())
            {
                throw Json("data after the end of the JSON object", null);
            }
        }
        catch (JsonException e)
        {
            throw Json("request body is not valid JSON: " + e.Message, null);
        }
        catch (InvalidOperationException)
        {
            // GetString of a value escaping half of a UTF-16 pair ("\ud800"): well-formed JSON no string can hold.
            var member = seen.Contains("reason") && reason is null ? "reason" : seen.Contains("user") && user is null ? "user" : null;
            throw Json($"{(member is null ? "the request body" : $"'{member}'")} holds a string that is not valid Unicode text (a lone UTF-16 surrogate escape?)", member);
        }

        if (DataSubjectActions.BadUser(user) is { } badUser)
        {
            throw GatewayError.BadRequest(badUser, "user");
        }

        if (reasonRequired && string.IsNullOrWhiteSpace(reason))
        {
            throw GatewayError.BadRequest("'reason' is required: say why this budget is reset (a ticket number, a clinical override); it goes into the audit record", "reason");
        }

        if (reason is { Length: > MaxReasonLength })
        {
            throw GatewayError.BadRequest($"'reason' is longer than {MaxReasonLength} characters", "reason");
        }

        return new UserAction(user!, reason);
    }

    private static GatewayError Json(string message, string? member) => GatewayError.BadRequest(message, member, code: "invalid_json");
}

/// <summary>An accepted <see cref="UserActionBody"/>: the user acted on, and why (null when none was given).</summary>
internal sealed record UserAction(string User, string? Reason);
