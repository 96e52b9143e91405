using System.Buffers;
using System.Globalization;
using System.Text;
using QuantumEdge.Gateway.Memory;

namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// Folds the forms people (and adversaries) use to hide an identifier from a pattern into the
/// plain form, in one pass and never longer than the input: zero-width and soft-hyphen
/// characters are dropped, full-width forms folded to ASCII, Unicode dashes made '-', HTML
/// character references and JSON-style <c>\uXXXX</c> escapes left in the text (a tool call's arguments are JSON
/// inside a JSON string, escaped twice) decoded, runs of blanks made one space and runs of dashes one dash, and a
/// line break inside an identifier ("123-45-⏎6789", "(617) 555⏎-0123", "jane.doe@⏎example.org")
/// dropped, as a model reading the text would join it.
/// Base64 runs that decode to printable text are appended after the text, so an encoded
/// identifier is scanned too.
/// </summary>
internal static class PhiTextNormalizer
{
    /// <summary>Shortest base64 run decoded (12 bytes of text: shorter ones are mostly ordinary words).</summary>
    private const int MinBase64Run = 16;

    /// <summary>The fewest base64 characters a decoded run holds: <see cref="MinBase64Run"/> less two '=' of padding.</summary>
    private const int MinBase64Chars = MinBase64Run - 2;

    private static readonly SearchValues<char> Base64Chars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    /// <summary>ASCII characters that are not copied as they are: dropped (NUL), folded to a blank, an entity's or escape's start, or collapsed in runs.</summary>
    private static readonly SearchValues<char> NeedsAttention = SearchValues.Create("\0&\\\t\r\f\v\n-");

    /// <summary>The most characters <see cref="Normalize"/> may write for an input of <paramref name="length"/> characters.</summary>
    public static int MaxOutputLength(int length) => (2 * length) + 2;

    /// <summary>Writes the normalised text of <paramref name="text"/> into <paramref name="output"/> (at least <see cref="MaxOutputLength"/> long); returns the length written.</summary>
    public static int Normalize(ReadOnlySpan<char> text, Span<char> output)
    {
        var n = 0;
        var i = 0;
        var nextNonAscii = -1;
        while (i < text.Length)
        {
            // Most text is plain ASCII: copy it a stretch at a time, up to the next character that needs attention.
            if (nextNonAscii < i)
            {
                var k = text[i..].IndexOfAnyExceptInRange('\0', '\u007F');
                nextNonAscii = k < 0 ? text.Length : i + k;
            }

            var attention = text[i..nextNonAscii].IndexOfAny(NeedsAttention);
            var plainEnd = attention < 0 ? nextNonAscii : i + attention;
            if (plainEnd > i)
            {
                n = AppendPlain(text[i..plainEnd], output, n);
                i = plainEnd;
                continue;
            }

            var c = text[i++];
            if (c == '&' && TryDecodeEntity(text[i..], out var decoded, out var used))
            {
                i += used;
                c = decoded;
            }
            else if (c == '\\' && TryDecodeEscape(text[i..], out decoded))
            {
                i += 5;
                c = decoded;
            }

            if (char.IsHighSurrogate(c) && i < text.Length && char.IsLowSurrogate(text[i]))
            {
                // A digit outside the BMP (mathematical bold 𝟐, …) is its ASCII digit; anything else there is copied as it is.
                var rune = new Rune(c, text[i]);
                if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.DecimalDigitNumber)
                {
                    i++;
                    c = (char)('0' + (int)Rune.GetNumericValue(rune));
                }
            }

            c = Fold(c);
            if (c == '\0')
            {
                continue;
            }

            if (c == '\n')
            {
                // The blanks and line breaks after a line break make one separator with it either way:
                // consumed here, so that a run of them is walked once, not once per line break.
                var joins = JoinsAcrossLineBreak(output[..n], text[i..], out var blanks);
                i += blanks;
                if (joins)
                {
                    if (output[n - 1] == ' ')
                    {
                        n--;
                    }

                    continue;
                }
            }

            if (c is ' ' or '\n')
            {
                if (n > 0 && output[n - 1] is ' ' or '\n')
                {
                    if (c == '\n')
                    {
                        output[n - 1] = '\n';
                    }

                    continue;
                }
            }
            else if (c == '-' && n > 0 && output[n - 1] == '-')
            {
                continue;
            }
            else if (c == '-' && n > 1 && output[n - 1] == ' ' && output[n - 2] == '-')
            {
                // "123 - - 45": the run of dashes and blanks is one separator.
                n--;
                continue;
            }

            output[n++] = c;
        }

        return n + AppendBase64Text(output, n);
    }

    /// <summary>
    /// Whether a line break joins what comes before it to what follows because it falls inside an
    /// identifier: between a digit's dash and a digit ("123-45-⏎6789"), a digit and a dash before a
    /// digit ("123-45⏎-6789"), or beside an '@' between word characters. A list item ("- 45") and a
    /// number on the next line ("120⏎80") stay apart. <paramref name="blanks"/> is how many characters
    /// of <paramref name="rest"/> (blanks, line breaks, dropped characters) come before what follows.
    /// </summary>
    private static bool JoinsAcrossLineBreak(ReadOnlySpan<char> written, ReadOnlySpan<char> rest, out int blanks)
    {
        blanks = 0;
        while (blanks < rest.Length && Fold(rest[blanks]) is ' ' or '\n' or '\0')
        {
            blanks++;
        }

        var end = written.Length > 0 && written[^1] == ' ' ? written.Length - 1 : written.Length;
        if (end == 0 || blanks == rest.Length)
        {
            return false;
        }

        var before = written[end - 1];
        var next = Fold(rest[blanks]);
        var afterNext = blanks + 1 < rest.Length ? Fold(rest[blanks + 1]) : '\0';
        // A digit's dash may stand one blank after the digit ("219-09 -⏎9999"), as the patterns allow.
        var dashAfterDigit = end > 1 && (char.IsAsciiDigit(written[end - 2]) || (end > 2 && written[end - 2] == ' ' && char.IsAsciiDigit(written[end - 3])));
        return (before == '-' && dashAfterDigit && char.IsAsciiDigit(next))
            || (char.IsAsciiDigit(before) && next == '-' && char.IsAsciiDigit(afterNext))
            || (before == '@' && char.IsAsciiLetterOrDigit(next))
            || (char.IsAsciiLetterOrDigit(before) && next == '@' && char.IsAsciiLetterOrDigit(afterNext));
    }

    /// <summary>Appends plain ASCII (nothing to fold, drop or decode, no dash or line break), making each run of blanks one blank.</summary>
    private static int AppendPlain(ReadOnlySpan<char> plain, Span<char> output, int n)
    {
        var j = 0;
        while (j < plain.Length)
        {
            if (plain[j] == ' ' && n > 0 && output[n - 1] is ' ' or '\n')
            {
                j++;
                continue;
            }

            // Up to and including the first blank of the next pair of blanks, whose second is then dropped.
            var pair = plain[j..].IndexOf("  ", StringComparison.Ordinal);
            var take = pair < 0 ? plain.Length - j : pair + 1;
            plain.Slice(j, take).CopyTo(output[n..]);
            n += take;
            j += take;
        }

        return n;
    }

    /// <summary>A character in its plain form; '\0' for characters that are dropped.</summary>
    private static char Fold(char c)
    {
        if (c < 0x80)
        {
            return c switch
            {
                '\t' or '\r' or '\f' or '\v' => ' ',
                _ => c,
            };
        }

        return c switch
        {
            '\u00AD' or '\u180E' or (>= '\u200B' and <= '\u200F') or (>= '\u202A' and <= '\u202E') or (>= '\u2060' and <= '\u2064') or '\uFEFF' => '\0',
            '\u00A0' or (>= '\u2000' and <= '\u200A') or '\u202F' or '\u205F' or '\u3000' or '\u2028' or '\u2029' or '\u0085' => ' ',
            (>= '\u2010' and <= '\u2015') or '\u2212' or '\uFE58' or '\uFE63' => '-',
            >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
            _ => FoldDigitOrMark(c),
        };
    }

    /// <summary>
    /// A digit of any script (Arabic-Indic ٢, Devanagari २, superscript ², circled ②) is its ASCII digit, as a model
    /// reads it; a combining mark is dropped, so that an accent over a digit (9&#x301;) or a letter does not split what it sits on.
    /// </summary>
    private static char FoldDigitOrMark(char c)
    {
        var digit = CharUnicodeInfo.GetDigitValue(c);
        if (digit is >= 0 and <= 9)
        {
            return (char)('0' + digit);
        }

        return CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark ? '\0' : c;
    }

    /// <summary>Decodes a "\uXXXX" escape (after the backslash): four hex digits, the character they name.</summary>
    private static bool TryDecodeEscape(ReadOnlySpan<char> rest, out char decoded)
    {
        decoded = '\0';
        if (rest.Length < 5 || rest[0] != 'u'
            || !ushort.TryParse(rest.Slice(1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) || code == 0)
        {
            return false;
        }

        decoded = (char)code;
        return true;
    }

    /// <summary>Decodes "&amp;#NN;", "&amp;#xHH;" and a few named references (after the '&amp;').</summary>
    private static bool TryDecodeEntity(ReadOnlySpan<char> rest, out char decoded, out int used)
    {
        decoded = '\0';
        used = 0;
        var end = rest[..Math.Min(rest.Length, 10)].IndexOf(';');
        if (end < 1)
        {
            return false;
        }

        var body = rest[..end];
        used = end + 1;
        if (body[0] == '#')
        {
            var hex = body.Length > 1 && (body[1] is 'x' or 'X');
            var digits = body[(hex ? 2 : 1)..];
            if (digits.Length == 0 || !int.TryParse(digits, hex ? System.Globalization.NumberStyles.AllowHexSpecifier : System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var code) || code is <= 0 or > 0xFFFF)
            {
                return false;
            }

            decoded = (char)code;
            return true;
        }

        decoded = body switch
        {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" or "ensp" or "emsp" or "thinsp" => ' ',
            "shy" or "zwj" or "zwnj" or "lrm" or "rlm" => '\u200B',
            "ndash" or "mdash" or "minus" or "hyphen" or "dash" => '-',
            "commat" => '@',
            "period" => '.',
            "colon" => ':',
            "sol" => '/',
            _ => '\0',
        };
        return decoded != '\0';
    }

    /// <summary>
    /// Appends the printable text of base64 runs in output[..length] after it; returns the characters added.
    /// A run is a maximal stretch of base64 characters, extended by up to two '=' after it, and
    /// the character after that extension is never the start of the next run.
    /// </summary>
    internal static int AppendBase64Text(Span<char> output, int length)
    {
        var written = 0;
        var i = 0;
        while (i < length)
        {
            // Prose breaks runs every few characters: look at the stretch where a decodable run
            // starting here would lie, and jump past its last break. A break that is not '=' ends
            // whatever run came before it with nothing decoded (that run is shorter than
            // MinBase64Chars) and nothing skipped beyond it, so the next run can only start after it.
            if (i + MinBase64Chars <= length)
            {
                var lastBreak = output.Slice(i, MinBase64Chars).LastIndexOfAnyExcept(Base64Chars);
                if (lastBreak >= 0 && output[i + lastBreak] != '=')
                {
                    i += lastBreak + 1;
                    continue;
                }
            }

            if (!Base64Chars.Contains(output[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var runEnd = output[i..length].IndexOfAnyExcept(Base64Chars);
            var end = runEnd < 0 ? length : i + runEnd;
            var runStop = end;
            while (end < length && output[end] == '=' && end - runStop < 2)
            {
                end++;
            }

            if (end - start >= MinBase64Run)
            {
                written += DecodeRun(output[start..end], output[(length + written)..]);
            }

            // The character after the run (or after its '=' padding) is passed over.
            i = end + 1;
        }

        return written;
    }

    /// <summary>Whether decoded bytes read as text: at least nine in ten printable ASCII or line breaks and tabs.</summary>
    internal static bool IsText(ReadOnlySpan<byte> decoded)
    {
        var printable = 0;
        foreach (var b in decoded)
        {
            if (b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                printable++;
            }
        }

        return printable * 10 >= decoded.Length * 9;
    }

    internal static int DecodeRun(ReadOnlySpan<char> run, Span<char> destination)
    {
        var padded = run.Length % 4 == 0 ? run.Length : run.Length + (4 - (run.Length % 4));
        var bytes = SmallArrayPool<byte>.Rent(padded);
        var chars = SmallArrayPool<char>.Rent(padded);
        try
        {
            run.CopyTo(chars);
            chars.AsSpan(run.Length, padded - run.Length).Fill('=');
            if (!Convert.TryFromBase64Chars(chars.AsSpan(0, padded), bytes, out var count) || count == 0)
            {
                return 0;
            }

            // Only text is worth scanning: ordinary words and binary data decode to noise.
            var decoded = bytes.AsSpan(0, count);
            if (!IsText(decoded) || destination.Length < count + 1)
            {
                return 0;
            }

            destination[0] = '\n';
            for (var i = 0; i < count; i++)
            {
                var b = decoded[i];
                destination[i + 1] = b is >= 0x20 and < 0x7F ? (char)b : ' ';
            }

            return count + 1;
        }
        finally
        {
            SmallArrayPool<byte>.Return(bytes);
            SmallArrayPool<char>.Return(chars);
        }
    }
}
