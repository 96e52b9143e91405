using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace QuantumEdge.Gateway.Auth;

/// <summary>
/// Reads <c>sub</c>, <c>role</c> and <c>department</c> from a validated token's own payload bytes.
/// The token library's claim view turns a one-element array into a plain value and keeps one of
/// two repeated keys, so <c>"role":["admin"]</c> or <c>"role":"x","role":"admin"</c> would read as
/// <c>admin</c>; here each claim must appear exactly once, as a single non-blank string.
/// </summary>
internal static class IdentityClaims
{
    private const string Subject = "sub";
    private const string Role = "role";
    private const string Department = "department";

    /// <summary>Returns (sub, role, department) or throws <see cref="TokenRejectedException"/> naming the claim.</summary>
    public static (string Subject, string Role, string Department) Read(string encodedPayload) =>
        TryRead(encodedPayload, out var identity, out var claimProblem)
            ? identity
            : throw new TokenRejectedException(claimProblem ?? "malformed bearer token");

    /// <summary>
    /// Reads the three claims; on failure <paramref name="claimProblem"/> names the claim at fault,
    /// or is null when the payload is not base64url JSON at all.
    /// </summary>
    public static bool TryRead(string encodedPayload, out (string Subject, string Role, string Department) identity, out string? claimProblem)
    {
        identity = default;
        claimProblem = null;
        byte[] payload;
        try
        {
            payload = Base64UrlEncoder.DecodeBytes(encodedPayload);
        }
        catch (FormatException)
        {
            return false;
        }

        string? subject = null, role = null, department = null;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ref var slot = ref subject;
                string name;
                if (reader.ValueTextEquals(Subject))
                {
                    name = Subject;
                }
                else if (reader.ValueTextEquals(Role))
                {
                    slot = ref role;
                    name = Role;
                }
                else if (reader.ValueTextEquals(Department))
                {
                    slot = ref department;
                    name = Department;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                if (slot is not null)
                {
                    claimProblem = $"token carries the '{name}' claim more than once";
                    return false;
                }

                reader.Read();
                claimProblem = reader.TokenType switch
                {
                    JsonTokenType.String => null,
                    JsonTokenType.StartArray => $"token's '{name}' claim is a list; it must be a single string",
                    JsonTokenType.Null => Lacks(name),
                    _ => $"token's '{name}' claim must be a single string",
                };
                slot = claimProblem is null ? reader.GetString() : null;
                if (claimProblem is not null || string.IsNullOrWhiteSpace(slot))
                {
                    claimProblem ??= Lacks(name);
                    return false;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }

        claimProblem = subject is null ? Lacks(Subject) : role is null ? Lacks(Role) : department is null ? Lacks(Department) : null;
        if (claimProblem is not null)
        {
            return false;
        }

        identity = (subject!, role!, department!);
        return true;
    }

    private static string Lacks(string name) => $"token lacks the '{name}' claim";
}
