namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// Recognizers for identifiers that are one alphanumeric token (VIN, DEA, NPI, record-number
/// shapes) and for e-mail addresses, in one hand-written pass each: a regex would try a match at
/// every letter of ordinary prose, which costs more than the rest of the scan together.
/// </summary>
internal static class PhiTokenScan
{
    private const int MaxLocalPart = 64;
    private const int MaxDomain = 253;

    /// <summary>
    /// The next maximal run of ASCII letters and digits that holds a digit, at or after
    /// <paramref name="from"/> (which is not inside a run); false when there is none. The caller
    /// goes on from <paramref name="end"/>, so the runs come in text order, each once.
    /// </summary>
    internal static bool NextToken(ReadOnlySpan<char> text, int from, out int start, out int end)
    {
        var at = from < text.Length ? text[from..].IndexOfAnyInRange('0', '9') : -1;
        if (at < 0)
        {
            start = end = text.Length;
            return false;
        }

        var digit = from + at;
        start = digit;
        while (start > 0 && char.IsAsciiLetterOrDigit(text[start - 1]))
        {
            start--;
        }

        end = digit + 1;
        while (end < text.Length && char.IsAsciiLetterOrDigit(text[end]))
        {
            end++;
        }

        return true;
    }

    /// <summary>Whether the text holds an e-mail address: a local part and a dotted domain around an '@'.</summary>
    internal static bool HasEmail(ReadOnlySpan<char> text)
    {
        var from = 0;
        while (from < text.Length)
        {
            var at = text[from..].IndexOf('@');
            if (at < 0)
            {
                return false;
            }

            at += from;
            var local = 0;
            while (local < MaxLocalPart && at - local - 1 >= 0 && IsLocalChar(text[at - local - 1]))
            {
                local++;
            }

            if (local > 0 && char.IsAsciiLetterOrDigit(text[at - local]) && DomainLength(text[(at + 1)..]) > 0)
            {
                return true;
            }

            from = at + 1;
        }

        return false;
    }

    private static bool IsLocalChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

    /// <summary>Length of a domain (labels of letters, digits and '-', at least one dot, a top-level label of 2+ letters); 0 when there is none.</summary>
    private static int DomainLength(ReadOnlySpan<char> text)
    {
        var end = 0;
        while (end < text.Length && end < MaxDomain && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '-' or '.'))
        {
            if (text[end] == '.' && (end == 0 || text[end - 1] == '.'))
            {
                break;
            }

            end++;
        }

        while (end > 0 && text[end - 1] is '.' or '-')
        {
            end--;
        }

        var lastDot = text[..end].LastIndexOf('.');
        if (lastDot <= 0 || lastDot >= end - 2)
        {
            return 0;
        }

        foreach (var c in text[(lastDot + 1)..end])
        {
            if (!char.IsAsciiLetter(c))
            {
                return 0;
            }
        }

        return end;
    }
}
