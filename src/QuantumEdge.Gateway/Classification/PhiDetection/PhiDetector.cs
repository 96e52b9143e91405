using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Memory;

namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// Finds HIPAA Safe Harbor identifiers in text: each recognizer is a bounded pattern, a
/// validator where the identifier has a checksum or issuance rules, and context words that
/// raise or lower its score. Works on a normalised copy in a pooled buffer; reports entity types
/// and scores only, never the text it matched. Thread-safe.
/// </summary>
internal sealed class PhiDetector
{
    private readonly PhiDetectionSettings _settings;
    private readonly PhiNameFilter _names;
    private readonly string[] _extraNames;
    private readonly string[][] _extraContext;

    public PhiDetector(PhiDetectionSettings settings)
    {
        _settings = settings;
        _names = new PhiNameFilter(settings.AllowTerms);
        _extraNames = [.. settings.ExtraPatterns.Select(p => p.Name)];
        _extraContext = [.. settings.ExtraPatterns.Select(p => p.Context.ToArray())];
    }

    /// <summary>The entity types found in <paramref name="text"/> at or above the configured confidence.</summary>
    public PhiScanResult Scan(ReadOnlySpan<char> text) => Scan(text, out _);

    /// <summary>The entity types found in the text fields of a JSON request body (see <see cref="PhiPromptText"/>).</summary>
    public PhiScanResult ScanJsonBody(ReadOnlySpan<byte> utf8Body)
    {
        var text = SmallArrayPool<char>.Rent(PhiPromptText.MaxLength(utf8Body.Length));
        try
        {
            var length = PhiPromptText.Extract(utf8Body, text, out var complete);
            return Scan(text.AsSpan(0, length), out _, failClosed: !complete);
        }
        finally
        {
            SmallArrayPool<char>.Return(text);
        }
    }

    /// <summary>As <see cref="Scan(ReadOnlySpan{char})"/>, and how much pattern work it took (for tests of linearity).</summary>
    internal PhiScanResult Scan(ReadOnlySpan<char> text, out PhiScanWork work) => Scan(text, out work, failClosed: false);

    /// <summary>As <see cref="Scan(ReadOnlySpan{char})"/>; <paramref name="failClosed"/> reports the text unscannable (the caller could not write all of it as it should be read).</summary>
    private PhiScanResult Scan(ReadOnlySpan<char> text, out PhiScanWork work, bool failClosed)
    {
        var buffer = SmallArrayPool<char>.Rent(PhiTextNormalizer.MaxOutputLength(text.Length));
        try
        {
            var length = PhiTextNormalizer.Normalize(text, buffer);
            return ScanNormalized(buffer.AsSpan(0, length), out work, failClosed);
        }
        finally
        {
            SmallArrayPool<char>.Return(buffer);
        }
    }

    private PhiScanResult ScanNormalized(ReadOnlySpan<char> text, out PhiScanWork work, bool failClosed)
    {
        var scores = new PhiScores(_extraNames);
        if (failClosed)
        {
            scores.Raise(PhiEntities.Unscannable, 1.0);
        }

        try
        {
            ScanStructured(text, ref scores);
            ScanLabels(text, ref scores);
            ScanHonorificNames(text, ref scores);
            ScanExtra(text, ref scores);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pattern that ran out of time proves nothing either way: fail closed.
            scores.Raise(PhiEntities.Unscannable, 1.0);
        }

        work = new PhiScanWork(scores.PatternCalls, scores.CharactersScanned);
        return scores.Result(_settings.MinConfidence);
    }

    private static void ScanStructured(ReadOnlySpan<char> text, ref PhiScores scores)
    {
        Span<byte> digits = stackalloc byte[24];
        PhiNumberScan.Scan(text, ref scores);
        scores.CountScan(text.Length);
        foreach (var m in PhiPatterns.InternationalPhone().EnumerateMatches(text))
        {
            var n = PhiValidators.Digits(text.Slice(m.Index, m.Length), digits);
            if (n is >= 8 and <= 15)
            {
                scores.Raise(PhiEntities.Phone, PhiContext.Adjust(text, m.Index, m.Length, 0.6, PhiContext.Phone, 0.3));
            }
        }

        if (PhiTokenScan.HasEmail(text))
        {
            scores.Raise(PhiEntities.Email, 0.9);
        }

        scores.CountScan(text.Length);
        // Every URL holds "://" or "www.": without them the pattern, which is tried at every 'h' and 'w' of the prose, cannot match.
        if (HasUrlMarker(text))
        {
            ScanUrls(text, ref scores);
        }

        ScanTokens(text, ref scores);
    }

    /// <summary>
    /// Whether the text holds "://" or "www." (any case), as every URL match does. Searched
    /// ordinally, which is vectorised: with invariant globalization a span's Contains(…,
    /// OrdinalIgnoreCase) compares character by character at every position (a quarter of the
    /// scan), and a case-insensitive SearchValues of both strings shuffles bytes in software in
    /// the AOT build. Only 'w' and 'W' equal 'w' ignoring case, and '.' only itself: "www." is a
    /// "w." or "W." after two characters c with c | 0x20 == 'w'.
    /// </summary>
    private static bool HasUrlMarker(ReadOnlySpan<char> text) =>
        text.Contains("://", StringComparison.Ordinal) || FollowsWw(text, "w.") || FollowsWw(text, "W.");

    /// <summary>Whether an occurrence of <paramref name="wDot"/> follows two characters that are 'w' or 'W'.</summary>
    private static bool FollowsWw(ReadOnlySpan<char> text, string wDot)
    {
        var from = 0;
        while (from < text.Length)
        {
            var at = text[from..].IndexOf(wDot, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }

            at += from;
            if (at >= 2 && (text[at - 1] | 0x20) == 'w' && (text[at - 2] | 0x20) == 'w')
            {
                return true;
            }

            from = at + 1;
        }

        return false;
    }

    private static void ScanUrls(ReadOnlySpan<char> text, ref PhiScores scores)
    {
        foreach (var m in PhiPatterns.Url().EnumerateMatches(text))
        {
            var span = text.Slice(m.Index, m.Length);
            var score = span.Contains("patient", StringComparison.OrdinalIgnoreCase) || span.Contains("mrn", StringComparison.OrdinalIgnoreCase)
                || span.Contains("/~", StringComparison.Ordinal) || span.Contains("dob=", StringComparison.OrdinalIgnoreCase)
                ? 0.85
                : 0.5;
            scores.Raise(PhiEntities.Url, PhiContext.Adjust(text, m.Index, m.Length, score, PhiContext.Url, 0.35));
        }
    }

    /// <summary>
    /// One walk over the word starts of the text for the words that open an identifier label, a
    /// name label or a person's date (birth, admission …); each kind is handled at its words, in
    /// text order.
    /// </summary>
    internal void ScanLabels(ReadOnlySpan<char> text, ref PhiScores scores)
    {
        scores.CountWindow(text.Length);
        var dateWindowEnd = 0;
        var at = 0;

        // Most words open no label of any kind: one walk over the union finds the words that open one.
        while ((at = AnyLabel.NextWordStart(text, at)) >= 0)
        {
            // A word glued to digits on both sides is inside a token ("call_Xy7MRN2kLp…", a tool call's id), not a label
            // a person wrote; one that only follows a digit ("Bed 12DOB: …", pasted from a form) still is.
            if (at > 0 && char.IsAsciiDigit(text[at - 1]) && DigitFollowsWord(text, at))
            {
                at++;
                continue;
            }

            if (IdentifierLabels.StartsAt(text, at))
            {
                LabelledIdentifierAt(text, at, ref scores);
            }

            if (NameLabels.StartsAt(text, at))
            {
                LabelledNameAt(text, at, ref scores);
            }

            if (PhiContext.Date.StartsAt(text, at))
            {
                dateWindowEnd = PersonDatesAfter(text, at, dateWindowEnd, ref scores);
            }

            at++;
        }
    }

    /// <summary>Whether the run of letters at <paramref name="at"/> is followed at once by a digit.</summary>
    private static bool DigitFollowsWord(ReadOnlySpan<char> text, int at)
    {
        var end = at;
        while (end < text.Length && char.IsAsciiLetter(text[end]))
        {
            end++;
        }

        return end < text.Length && char.IsAsciiDigit(text[end]);
    }

    /// <summary>An identifier after a label that names it (MRN, member ID, serial …), anchored at the label: one attempt, bounded by the pattern.</summary>
    private static void LabelledIdentifierAt(ReadOnlySpan<char> text, int at, ref PhiScores scores)
    {
        scores.CountAttempt();
        foreach (var m in PhiPatterns.LabelledIdentifier().EnumerateMatches(text.Slice(at, Math.Min(text.Length - at, 120))))
        {
            if (LabelledEntity(text.Slice(at + m.Index, m.Length)) is { } entity)
            {
                scores.Raise(entity, 0.85);
            }
        }
    }

    /// <summary>A name after a label ("Patient:", "daughter", "Name:").</summary>
    private void LabelledNameAt(ReadOnlySpan<char> text, int at, ref PhiScores scores)
    {
        scores.CountAttempt();
        foreach (var m in PhiPatterns.LabelledName().EnumerateMatches(text.Slice(at, Math.Min(text.Length - at, 96))))
        {
            if (_names.IsName(text.Slice(at + m.Index, m.Length)))
            {
                scores.Raise(PhiEntities.Name, 0.7);
            }
        }
    }

    /// <summary>
    /// A date alone is not an identifier; a date of birth, admission, discharge or death is. Only
    /// the stretch after such a word is searched, each stretch once: returns where the searched
    /// stretch now ends.
    /// </summary>
    private static int PersonDatesAfter(ReadOnlySpan<char> text, int at, int windowEnd, ref PhiScores scores)
    {
        var from = Math.Max(at, windowEnd);
        windowEnd = Math.Min(text.Length, at + 96);
        if (from >= windowEnd)
        {
            return windowEnd;
        }

        // Start the window at a token boundary so that no date is cut in two.
        while (from > at && char.IsAsciiLetterOrDigit(text[from - 1]))
        {
            from--;
        }

        ScanDateWindow(text, from, windowEnd, ref scores);
        return windowEnd;
    }

    /// <summary>
    /// The dates in text[from..end], scanned as the window alone (nothing before or after it is
    /// seen): the anchored date pattern is tried where a date can start (a digit or a month's first
    /// letter that does not follow a letter, digit or date separator), skipping each match.
    /// </summary>
    private static void ScanDateWindow(ReadOnlySpan<char> text, int from, int end, ref PhiScores scores)
    {
        var window = text[from..end];
        scores.CountWindow(window.Length);
        var q = 0;
        while (q < window.Length)
        {
            var canStart = (q == 0 || !(char.IsAsciiLetterOrDigit(window[q - 1]) || window[q - 1] is '_' or '/' or '.' or '-'))
                && CouldStartDate(window, q);
            if (canStart && PhiNumberScan.TryAt(PhiPatterns.Date(), window, q, out var length, ref scores))
            {
                if (PhiContext.Before(text, from + q, PhiContext.Date, 40) && PlausibleDate(text.Slice(from + q, length)))
                {
                    scores.Raise(PhiEntities.Date, 0.9);
                }

                q += length;
                continue;
            }

            q++;
        }
    }

    /// <summary>Names after an honorific ("Mr. Smith", "Dr. Patel").</summary>
    private void ScanHonorificNames(ReadOnlySpan<char> text, ref PhiScores scores)
    {
        scores.CountScan(text.Length);
        foreach (var m in PhiPatterns.HonorificName().EnumerateMatches(text))
        {
            if (_names.IsName(text.Slice(m.Index, m.Length)))
            {
                scores.Raise(PhiEntities.Name, 0.75);
            }
        }
    }

    private void ScanExtra(ReadOnlySpan<char> text, ref PhiScores scores)
    {
        for (var i = 0; i < _settings.ExtraPatterns.Count; i++)
        {
            var pattern = _settings.ExtraPatterns[i];
            var words = _extraContext[i];
            scores.CountScan(text.Length);
            foreach (var m in pattern.Regex.EnumerateMatches(text))
            {
                var score = words.Length == 0 ? 0.9 : PhiContext.Adjust(text, m.Index, m.Length, 0.5, words, 0.4);
                scores.Raise(pattern.Name, score);
                if (score >= 0.9)
                {
                    break;
                }
            }
        }
    }

    /// <summary>First words of the labels <see cref="PhiPatterns.LabelledIdentifier"/> starts with.</summary>
    private static readonly PhiWordSet IdentifierLabels = new(
        ["mrn", "m.r.n", "mr", "med", "record", "chart", "hosp", "unit", "encounter", "case", "visit", "admission", "episode", "patient", "pt",
         "acc", "billing", "invoice", "claim", "member", "subscriber", "policy", "group", "insur", "plan", "health", "beneficiary", "payer",
         "medicaid", "medicare", "mbi", "hicn", "serial", "s/n", "sn#", "device", "implant", "pacemaker", "pump", "icd", "defibrillator", "udi",
         "imei", "vin", "vehicle", "licen", "plate"]);

    /// <summary>First words of the labels <see cref="PhiPatterns.LabelledName"/> starts with.</summary>
    private static readonly PhiWordSet NameLabels = new(
        ["patient", "pt", "mother", "father", "son", "daughter", "wife", "husband", "spouse", "partner", "guardian", "caregiver", "next of kin",
         "nok", "sister", "brother", "name", "re:", "re :", "contact", "emergency", "informant", "client", "resident", "referred", "subject"]);

    /// <summary>The words of <see cref="IdentifierLabels"/>, <see cref="NameLabels"/> and <see cref="PhiContext.Date"/>: a word start that opens none of them needs no other test.</summary>
    private static readonly PhiWordSet AnyLabel = new([.. IdentifierLabels.Words, .. NameLabels.Words, .. PhiContext.Date.Words]);

    /// <summary>Single-token identifiers: NPI (ten digits), DEA, VIN, and record-number shapes near record words.</summary>
    internal static void ScanTokens(ReadOnlySpan<char> text, ref PhiScores scores)
    {
        Span<byte> digits = stackalloc byte[24];
        var from = 0;
        while (PhiTokenScan.NextToken(text, from, out var index, out var end))
        {
            from = end;
            var length = end - index;
            var token = text.Slice(index, length);
            var bounded = (index == 0 || text[index - 1] != '-') && (end == text.Length || text[end] != '-');
            var n = length <= 24 ? PhiValidators.Digits(token, digits) : -1;
            if (bounded && n == 10 && length == 10 && PhiValidators.Npi(digits[..10]))
            {
                scores.Raise(PhiEntities.Npi, PhiContext.Adjust(text, index, length, 0.35, PhiContext.Npi, 0.5));
            }

            if (length == 9 && n == 7 && PhiValidators.Dea(token) && "ABCDEFGHJKLMPRSTUXabcdefghjklmprstux".Contains(token[0]))
            {
                scores.Raise(PhiEntities.Dea, PhiContext.Adjust(text, index, length, 0.6, PhiContext.Dea, 0.35));
            }

            if (length == 17 && PhiValidators.Vin(token))
            {
                scores.Raise(PhiEntities.VehicleId, PhiContext.Adjust(text, index, length, 0.6, PhiContext.Vin, 0.3));
            }

            // Tables and forms put the label in a header or a key, away from the value.
            if (bounded && n is >= 6 and <= 12 && length - n <= 3 && token[..(length - n)].IndexOfAnyInRange('0', '9') < 0
                && PhiContext.Before(text, index, PhiContext.RecordNumber, 64))
            {
                scores.Raise(PhiEntities.MedicalRecordNumber, 0.8);
            }
        }
    }

    /// <summary>The entity a labelled identifier is, from its label; null when the token after it is no identifier (a year, a count).</summary>
    private static string? LabelledEntity(ReadOnlySpan<char> match)
    {
        // The token is the last run of the match; it must hold enough digits to identify someone.
        var tokenStart = match.LastIndexOfAny(" \t\n\"':#=|,.[]") + 1;
        var token = match[tokenStart..].Trim("()-/");
        var digits = 0;
        var letters = 0;
        foreach (var c in token)
        {
            digits += char.IsAsciiDigit(c) ? 1 : 0;
            letters += char.IsAsciiLetter(c) ? 1 : 0;
        }

        // Contains(…, OrdinalIgnoreCase) compares character by character at every position under
        // invariant globalization: an ASCII label (all but adversarial ones) is lower-cased once and
        // searched ordinally, which for lower-case words is the same test.
        Span<char> lowered = stackalloc char[128];
        var ascii = tokenStart <= lowered.Length && Ascii.ToLower(match[..tokenStart], lowered, out _) == OperationStatus.Done;
        var label = ascii ? lowered[..tokenStart] : match[..tokenStart];
        var how = ascii ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var vehicle = Has(label, "vin", how) || Has(label, "vehicle", how) || Has(label, "plate", how);
        if (digits < 4 && !(digits >= 2 && letters >= 2 && token.Length >= 5) && !(vehicle && digits >= 1 && letters >= 1 && token.Length >= 4))
        {
            return null;
        }

        if (token.Length == 4 && digits == 4 && token[0] is '1' or '2' && token[1] is '9' or '0')
        {
            return null;
        }

        return label switch
        {
            _ when vehicle => PhiEntities.VehicleId,
            _ when Has(label, "serial", how) || Has(label, "s/n", how) || Has(label, "sn#", how) || Has(label, "device", how) || Has(label, "udi", how) || Has(label, "imei", how)
                || Has(label, "implant", how) || Has(label, "pacemaker", how) || Has(label, "pump", how) || Has(label, "icd ", how) || Has(label, "defibrillator", how) => PhiEntities.DeviceId,
            _ when Has(label, "acc", how) || Has(label, "billing", how) || Has(label, "invoice", how) || Has(label, "claim", how) => PhiEntities.AccountNumber,
            _ when Has(label, "member", how) || Has(label, "subscriber", how) || Has(label, "policy", how) || Has(label, "group", how) || Has(label, "insur", how)
                || Has(label, "plan", how) || Has(label, "medicaid", how) || Has(label, "medicare", how) || Has(label, "mbi", how) || Has(label, "hicn", how)
                || Has(label, "beneficiary", how) || Has(label, "payer", how) => PhiEntities.HealthPlanNumber,
            _ => PhiEntities.MedicalRecordNumber,
        };

        static bool Has(ReadOnlySpan<char> label, string word, StringComparison how) => label.Contains(word, how);
    }

    /// <summary>
    /// Whether the date pattern can match at window[q]: a month's name, or a run of one, two or four
    /// digits followed by a date separator, or one or two digits followed (after an ordinal suffix and
    /// "of") by a month's name. Outside ASCII it answers yes and lets the pattern decide.
    /// </summary>
    private static bool CouldStartDate(ReadOnlySpan<char> window, int q)
    {
        var c = window[q];
        if (c > '\u007F')
        {
            return true;
        }

        if (char.IsAsciiLetter(c))
        {
            return StartsWithMonth(window[q..]);
        }

        if (!char.IsAsciiDigit(c))
        {
            return false;
        }

        var end = q;
        while (end < window.Length && char.IsAsciiDigit(window[end]))
        {
            end++;
        }

        if (end == window.Length)
        {
            return false;
        }

        var next = window[end];
        var digits = end - q;
        if (next > '\u007F' || (next is '/' or '.' or '-' && digits is 1 or 2 or 4))
        {
            return true;
        }

        if (digits > 2)
        {
            return false;
        }

        // "3rd of March 1950", "12 Jan 2020": an ordinal suffix, a blank, "of ", a month.
        var rest = window[end..];
        if (rest.Length >= 2 && char.IsAsciiLetter(rest[0]))
        {
            rest = rest[2..];
        }

        if (rest.Length == 0 || rest[0] != ' ')
        {
            return rest.Length > 0 && rest.ContainsAnyExceptInRange('\0', '\u007F');
        }

        rest = rest[1..];
        if (rest.StartsWith("of ", StringComparison.OrdinalIgnoreCase))
        {
            return StartsWithMonth(rest) || StartsWithMonth(rest[3..]);
        }

        return StartsWithMonth(rest);
    }

    /// <summary>Whether the text starts with a month's three-letter abbreviation (any case); yes when a non-ASCII character might fold into one.</summary>
    private static bool StartsWithMonth(ReadOnlySpan<char> text)
    {
        if (text.Length < 3)
        {
            return false;
        }

        var three = text[..3];
        if (three.ContainsAnyExceptInRange('\0', '\u007F'))
        {
            return true;
        }

        // ASCII c | 0x20 equals a lower-case letter only when c is that letter in either case.
        var key = ((three[0] | 0x20) << 16) | ((three[1] | 0x20) << 8) | (three[2] | 0x20);
        return MonthKeys.Contains(key);
    }

    /// <summary>The months' three-letter abbreviations, lower case, packed as (first &lt;&lt; 16) | (second &lt;&lt; 8) | third.</summary>
    private static ReadOnlySpan<int> MonthKeys =>
    [
        ('j' << 16) | ('a' << 8) | 'n', ('f' << 16) | ('e' << 8) | 'b', ('m' << 16) | ('a' << 8) | 'r', ('a' << 16) | ('p' << 8) | 'r',
        ('m' << 16) | ('a' << 8) | 'y', ('j' << 16) | ('u' << 8) | 'n', ('j' << 16) | ('u' << 8) | 'l', ('a' << 16) | ('u' << 8) | 'g',
        ('s' << 16) | ('e' << 8) | 'p', ('o' << 16) | ('c' << 8) | 't', ('n' << 16) | ('o' << 8) | 'v', ('d' << 16) | ('e' << 8) | 'c',
    ];

    /// <summary>Numeric dates must have a month 1–12 and a day 1–31 in one of the usual orders.</summary>
    private static bool PlausibleDate(ReadOnlySpan<char> span)
    {
        if (char.IsAsciiLetter(span[0]) || span.IndexOfAny("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") >= 0)
        {
            return true;
        }

        Span<int> parts = stackalloc int[3];
        var count = 0;
        var value = 0;
        foreach (var c in span)
        {
            if (char.IsAsciiDigit(c))
            {
                value = (value * 10) + (c - '0');
            }
            else if (count < 2)
            {
                parts[count++] = value;
                value = 0;
            }
        }

        parts[count] = value;
        var (a, b, c3) = (parts[0], parts[1], parts[2]);
        return a > 31
            ? b is >= 1 and <= 12 && c3 is >= 1 and <= 31
            : (a is >= 1 and <= 12 && b is >= 1 and <= 31) || (b is >= 1 and <= 12 && a is >= 1 and <= 31);
    }
}
