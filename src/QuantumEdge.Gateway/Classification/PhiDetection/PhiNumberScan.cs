using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// The number-shaped recognizers (SSN, NANP phone, payment card, IPv4, IPv6, ZIP code, street
/// address) in one pass over the text's digits and colons. A regex scan of the whole text per
/// recognizer tries a match at nearly every digit or hex letter of clinical prose (doses, vitals,
/// lab values), and eight such scans were most of the detector's cost. Instead:
/// every match of the SSN, phone, card and IPv4 patterns consists of digits and the separators
/// " -.()/+", so it lies inside one maximal run of those characters; a run is tried only when it
/// holds as many digits (or dots) as the pattern needs, and there only at the positions where the
/// pattern can start (a run of digits, '+', '('), in text order, skipping positions inside the
/// previous match, with the anchored (\G) pattern on the whole text, so look-behinds and
/// look-aheads see what they saw before. That is exactly the sequence of matches a scan of the
/// whole text finds. IPv6 is tried at the start of runs of hex digits and colons that hold two
/// colons (the detector never counted fewer), ZIP codes near a run of exactly five digits, and
/// street addresses at a house number followed by a capitalised word or after "box ".
/// </summary>
internal static class PhiNumberScan
{
    /// <summary>Longest stretch from the start of a ZIP-code match to its five digits ("postal code" and six separators).</summary>
    private const int MaxZipLead = 17;

    /// <summary>Longest stretch from the start of a PO box match to "box " ("p. o. ").</summary>
    private const int MaxPoBoxLead = 6;

    internal static void Scan(ReadOnlySpan<char> text, ref PhiScores scores)
    {
        var ascii = Ascii.IsValid(text);
        var state = new RunState();
        var from = 0;
        while (from < text.Length)
        {
            var digit = NextDigit(text, from, ascii);
            if (digit < 0)
            {
                break;
            }

            // The maximal run of number characters around the digit; none of it was seen before,
            // because the previous run ended at a character that is not a number character.
            var start = digit;
            while (start > from && IsNumberChar(text[start - 1]))
            {
                start--;
            }

            var end = digit;
            var digits = 0;
            var dots = 0;
            while (end < text.Length)
            {
                var kind = Kind(text[end]);
                if (kind == 0)
                {
                    break;
                }

                digits += kind & DigitKind;
                dots += kind >> DotShift;
                end++;
            }

            ScanRun(text, start, end, digits, dots, ref state, ref scores);
            from = end;
        }

        ScanIpv6(text, ref scores);
    }

    /// <summary>Where each pattern's scan would resume (the end of its last match), and the kinds already found at full score.</summary>
    private struct RunState
    {
        public int SsnNext;
        public int PhoneNext;
        public int CardNext;
        public int Ipv4Next;
        public bool ZipFound;
        public bool AddressFound;
    }

    private static void ScanRun(ReadOnlySpan<char> text, int start, int end, int digits, int dots, ref RunState state, ref PhiScores scores)
    {
        var trySsn = digits >= 9;
        var tryPhone = digits >= 10;
        var tryCard = digits >= 13;
        var tryIpv4 = digits >= 4 && dots >= 3;
        for (var p = start; p < end; p++)
        {
            var c = text[p];
            var digitStart = IsDigit(c) && (p == 0 || !IsDigit(text[p - 1]));
            if (tryPhone && p >= state.PhoneNext && (digitStart || c is '+' or '('))
            {
                state.PhoneNext = Phone(text, p, ref scores) ?? state.PhoneNext;
            }

            if (!digitStart)
            {
                continue;
            }

            if (trySsn && p >= state.SsnNext)
            {
                state.SsnNext = Ssn(text, p, ref scores) ?? state.SsnNext;
            }

            if (tryCard && p >= state.CardNext)
            {
                state.CardNext = Card(text, p, ref scores) ?? state.CardNext;
            }

            if (tryIpv4 && p >= state.Ipv4Next)
            {
                state.Ipv4Next = Ipv4(text, p, ref scores) ?? state.Ipv4Next;
            }

            var digitEnd = p + 1;
            while (digitEnd < text.Length && IsDigit(text[digitEnd]))
            {
                digitEnd++;
            }

            if (!state.ZipFound && digitEnd - p == 5 && ZipCode(text, p, ref scores))
            {
                state.ZipFound = true;
            }

            if (!state.AddressFound && StreetAddress(text, p, digitEnd, ref scores))
            {
                state.AddressFound = true;
            }
        }
    }

    private static int? Ssn(ReadOnlySpan<char> text, int at, ref PhiScores scores)
    {
        if (!TryAt(PhiPatterns.Ssn(), text, at, out var length, ref scores))
        {
            return null;
        }

        Span<byte> digits = stackalloc byte[24];
        var span = text.Slice(at, length);
        var n = PhiValidators.Digits(span, digits);
        if (n == 9 && PhiValidators.Ssn(digits[..9]))
        {
            // Dots or slashes ("219.09.9999") are also a version or a code's shape: like blanks, they need a context word.
            var score = span.Contains('-') ? 0.6 : span.IndexOfAny(" ./") >= 0 ? 0.45 : 0.3;
            scores.Raise(PhiEntities.Ssn, PhiContext.Adjust(text, at, length, score, PhiContext.Ssn, 0.4));
        }

        return at + length;
    }

    private static int? Phone(ReadOnlySpan<char> text, int at, ref PhiScores scores)
    {
        if (!TryAt(PhiPatterns.NanpPhone(), text, at, out var length, ref scores))
        {
            return null;
        }

        Span<byte> digits = stackalloc byte[24];
        var span = text.Slice(at, length);
        var n = PhiValidators.Digits(span, digits);
        if (n is >= 10 and <= 11 && PhiValidators.NanpPhone(digits[..n]))
        {
            var score = n == 10 && span.IndexOfAnyExcept("0123456789") < 0 ? 0.35 : 0.6;
            if (PhiValidators.TollFree(digits[..n]))
            {
                score -= 0.3;
            }

            scores.Raise(PhiEntities.Phone, PhiContext.Adjust(text, at, length, score, PhiContext.Phone, 0.3));
        }

        return at + length;
    }

    private static int? Card(ReadOnlySpan<char> text, int at, ref PhiScores scores)
    {
        if (!TryAt(PhiPatterns.CardNumber(), text, at, out var length, ref scores))
        {
            return null;
        }

        Span<byte> digits = stackalloc byte[24];
        var n = PhiValidators.Digits(text.Slice(at, length), digits);
        if (n > 0 && PhiValidators.PaymentCard(digits[..n]))
        {
            scores.Raise(PhiEntities.PaymentCard, PhiContext.Adjust(text, at, length, 0.75, PhiContext.Card, 0.2));
        }

        return at + length;
    }

    private static int? Ipv4(ReadOnlySpan<char> text, int at, ref PhiScores scores)
    {
        if (!TryAt(PhiPatterns.Ipv4(), text, at, out var length, ref scores))
        {
            return null;
        }

        var span = text.Slice(at, length);
        var score = span.StartsWith("127.", StringComparison.Ordinal) || span.StartsWith("0.", StringComparison.Ordinal) ? 0.2 : 0.6;
        scores.Raise(PhiEntities.IpAddress, PhiContext.Adjust(text, at, length, score, PhiContext.Ip, 0.3));
        return at + length;
    }

    /// <summary>Tries the ZIP-code pattern where a match ending in the five digits at <paramref name="digits"/> can start: a state code, "zip", "post(al)".</summary>
    private static bool ZipCode(ReadOnlySpan<char> text, int digits, ref PhiScores scores)
    {
        for (var p = Math.Max(0, digits - MaxZipLead); p < digits; p++)
        {
            if (text[p] is (>= 'A' and <= 'Z') or 'z' or 'p' or > '\u007F' && TryAt(PhiPatterns.ZipCode(), text, p, out _, ref scores))
            {
                scores.Raise(PhiEntities.ZipCode, 0.85);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Tries the street-address pattern at a house number (at most six digits, an optional letter,
    /// a blank and a capital) and at the "P.O." before "box " and the number.
    /// </summary>
    private static bool StreetAddress(ReadOnlySpan<char> text, int digits, int digitEnd, ref PhiScores scores)
    {
        var e = digitEnd;
        if (e < text.Length && char.IsAsciiLetter(text[e]))
        {
            e++;
        }

        var houseNumber = digitEnd - digits <= 6 && e + 1 < text.Length && text[e] == ' ' && char.IsAsciiLetterUpper(text[e + 1]);
        if (houseNumber && TryAt(PhiPatterns.StreetAddress(), text, digits, out _, ref scores))
        {
            scores.Raise(PhiEntities.PostalAddress, 0.8);
            return true;
        }

        var box = digits - 4;
        // Most numbers follow no blank, or a blank after no "box": test the characters before comparing.
        if (box < 1 || text[digits - 1] != ' ' || (text[box] | 0x20) != 'b' || !text.Slice(box, 4).Equals("box ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        for (var p = Math.Max(0, box - MaxPoBoxLead); p < box; p++)
        {
            if (text[p] is 'p' or 'P' && TryAt(PhiPatterns.StreetAddress(), text, p, out _, ref scores))
            {
                scores.Raise(PhiEntities.PostalAddress, 0.8);
                return true;
            }
        }

        return false;
    }

    /// <summary>IPv6 at the start of each run of hex digits and colons holding two colons or more.</summary>
    private static void ScanIpv6(ReadOnlySpan<char> text, ref PhiScores scores)
    {
        var from = 0;
        while (from < text.Length)
        {
            var colon = text[from..].IndexOf(':');
            if (colon < 0)
            {
                return;
            }

            colon += from;
            var start = colon;
            while (start > from && IsHexOrColon(text[start - 1]))
            {
                start--;
            }

            var end = colon;
            var colons = 0;
            while (end < text.Length && IsHexOrColon(text[end]))
            {
                colons += text[end] == ':' ? 1 : 0;
                end++;
            }

            // Inside the run every position follows a hex digit or a colon, which the pattern's
            // look-behind refuses: its start is the only place a match can begin.
            if (colons >= 2 && TryAt(PhiPatterns.Ipv6(), text, start, out var length, ref scores))
            {
                var span = text.Slice(start, length);
                var matchColons = span.Count(':');
                var hasHexLetter = span.IndexOfAny("abcdefABCDEF") >= 0;
                if ((matchColons >= 5 || span.Contains("::", StringComparison.Ordinal) || hasHexLetter) && matchColons >= 2 && IPAddress.TryParse(span, out var ip)
                    && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !IPAddress.IsLoopback(ip))
                {
                    scores.Raise(PhiEntities.IpAddress, PhiContext.Adjust(text, start, length, matchColons >= 4 || hasHexLetter ? 0.7 : 0.4, PhiContext.Ip, 0.3));
                }
            }

            from = end;
        }
    }

    /// <summary>One attempt of an anchored (\G) pattern at <paramref name="at"/>, with the whole text around it for its look-arounds.</summary>
    internal static bool TryAt(Regex anchored, ReadOnlySpan<char> text, int at, out int length, ref PhiScores scores)
    {
        scores.CountAttempt();
        foreach (var m in anchored.EnumerateMatches(text, at))
        {
            length = m.Length;
            return true;
        }

        length = 0;
        return false;
    }

    /// <summary>Index of the next digit (any Unicode decimal digit, as the patterns' \d) at or after <paramref name="from"/>; -1 when none.</summary>
    private static int NextDigit(ReadOnlySpan<char> text, int from, bool ascii)
    {
        if (ascii)
        {
            var at = text[from..].IndexOfAnyInRange('0', '9');
            return at < 0 ? -1 : from + at;
        }

        for (var i = from; i < text.Length; i++)
        {
            if (IsDigit(text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(char c) => char.IsAsciiDigit(c) || (c > '\u007F' && char.IsDigit(c));

    /// <summary>The characters the SSN, phone, card and IPv4 patterns are made of.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsNumberChar(char c) => Kind(c) != 0;

    /// <summary><see cref="Kind"/> of a digit.</summary>
    private const int DigitKind = 1;

    /// <summary>Where <see cref="Kind"/> has the bit of a dot.</summary>
    private const int DotShift = 2;

    /// <summary>
    /// 0 for a character no number-shaped pattern holds; else 2, plus <see cref="DigitKind"/> for a
    /// digit (as <see cref="IsDigit"/>), plus 1 &lt;&lt; <see cref="DotShift"/> for '.'. One table
    /// look-up per character of a run instead of a chain of comparisons.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Kind(char c) => c < 0x80 ? AsciiKinds[c] : char.IsDigit(c) ? 2 | DigitKind : 0;

    /// <summary><see cref="Kind"/> of each ASCII character: digits 3, '.' 6, blank, '-', '(', ')', '/', '+' 2, others 0.</summary>
    private static ReadOnlySpan<byte> AsciiKinds =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        // ' ' ! " # $ % & ' ( ) * + , - . /
        2, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 2, 0, 2, 6, 2,
        // 0-9 : ; < = > ?
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsHexOrColon(char c) => char.IsAsciiHexDigit(c) || c == ':';
}
