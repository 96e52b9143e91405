namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Refuses backend answers whose bytes the gateway cannot relay as what they claim to be: a length
/// declared twice in conflicting ways (RFC 9112 §6.3: a sign of response smuggling, to be handled
/// as an error), or a body compressed although the gateway asked for none and does not decode it
/// (relayed as-is, the client would get compressed bytes labelled as JSON, and the usage read from
/// the answer would be lost).
/// </summary>
internal static class AnswerFraming
{
    private const int MaxShownEncodingLength = 32;

    /// <summary>What is wrong with the answer's framing (a metric kind and the problem, worded after the backend's name), or null when it can be relayed.</summary>
    public static (string Kind, string Problem)? Refusal(HttpResponseMessage response)
    {
        if (response.Headers.NonValidated.Contains("Transfer-Encoding") && response.Content.Headers.NonValidated.Contains("Content-Length"))
        {
            return ("bad_framing", "sent both Content-Length and Transfer-Encoding, so the length of its answer is ambiguous");
        }

        if (response.Content.Headers.NonValidated.TryGetValues("Content-Encoding", out var values))
        {
            foreach (var value in values)
            {
                foreach (var coding in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
                    {
                        return ("bad_encoding", $"sent its answer with Content-Encoding '{Shown(coding)}', which the gateway did not ask for and does not decode");
                    }
                }
            }
        }

        return null;
    }

    // A header value is the backend's to choose: only token characters are shown, and not too many.
    private static string Shown(string coding)
    {
        var shown = new string(coding.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '+' or '_').Take(MaxShownEncodingLength).ToArray());
        return shown.Length == 0 ? "?" : shown;
    }
}
