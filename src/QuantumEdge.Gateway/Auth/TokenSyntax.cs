using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace QuantumEdge.Gateway.Auth;

/// <summary>
/// What the token library reads leniently and RFC 7515/7519 do not allow, checked before a token is
/// validated (and so once per distinct token: valid ones are cached). Each of the three parts must be
/// plain base64url (no padding, no other character); the header and the payload each one JSON object
/// that names every member once (the library keeps one of two, so an <c>exp</c> or <c>iss</c> written
/// twice would be read one way by this node and maybe another by the next system that reads the
/// token); the header must not carry <c>crit</c> (RFC 7515 §4.1.11: a recipient that does not
/// understand the extensions it lists must refuse the token, and this node implements none); and
/// <c>exp</c>, <c>nbf</c> and <c>iat</c> must be numbers (NumericDate: the library also reads
/// <c>"exp":"1700000000"</c>), <c>iss</c> a string, <c>aud</c> a string or a list of strings.
/// </summary>
internal static class TokenSyntax
{
    private static readonly string[] PartNames = ["header", "payload", "signature"];

    private static readonly SearchValues<char> Base64UrlCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>What is wrong with <paramref name="token"/>'s form, or null.</summary>
    public static string? Problem(ReadOnlySpan<char> token)
    {
        Span<Range> parts = stackalloc Range[4];
        if (token.Split(parts, '.') != 3)
        {
            return "a token is three base64url parts joined by dots";
        }

        for (var i = 0; i < 3; i++)
        {
            var part = token[parts[i]];
            if (part.IsEmpty)
            {
                return $"the token's {PartNames[i]} is empty";
            }

            if (part.ContainsAnyExcept(Base64UrlCharacters) || part.Length % 4 == 1)
            {
                return $"the token's {PartNames[i]} is not base64url (letters, digits, '-' and '_', without '=' padding)";
            }
        }

        return Members(token[parts[0]], "header") ?? Members(token[parts[1]], "payload");
    }

    private static string? Members(ReadOnlySpan<char> encoded, string part)
    {
        var json = new byte[Base64Url.GetMaxDecodedLength(encoded.Length)];
        if (Base64Url.DecodeFromChars(encoded, json, out _, out var written) != OperationStatus.Done)
        {
            return $"the token's {part} is not base64url";
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json.AsSpan(0, written), new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return $"the token's {part} is not a JSON object";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!names.Add(name))
                {
                    return $"the token's {part} gives '{Shown(name)}' more than once";
                }

                reader.Read();
                var problem = part == "header" ? HeaderMember(name) : PayloadMember(name, ref reader);
                if (problem is not null)
                {
                    return problem;
                }

                reader.Skip();
            }

            // Past the object's end only white space may follow: the reader throws on anything else.
            reader.Read();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Reading a name or string whose escapes or bytes are not text (a lone \ud800, invalid UTF-8) throws InvalidOperationException.
            return $"the token's {part} is not valid JSON";
        }

        return null;
    }

    private static string? HeaderMember(string name) => name == "crit"
        ? "the token's header lists critical extensions ('crit'), which this node does not implement"
        : null;

    private static string? PayloadMember(string name, ref Utf8JsonReader reader) => name switch
    {
        "exp" or "nbf" or "iat" when reader.TokenType != JsonTokenType.Number =>
            $"the token's '{name}' claim must be a number of seconds since 1970 (NumericDate)",
        "iss" when reader.TokenType != JsonTokenType.String => "the token's 'iss' claim must be a string",
        "aud" when reader.TokenType != JsonTokenType.String && !IsListOfStrings(reader) =>
            "the token's 'aud' claim must be a string or a list of strings",
        _ => null,
    };

    private static bool IsListOfStrings(Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A member name as it may be echoed to the caller: short, printable ASCII.</summary>
    private static string Shown(string name) =>
        name.Length <= 40 && !name.AsSpan().ContainsAnyExceptInRange(' ', '~') ? name : "(a member name)";
}
