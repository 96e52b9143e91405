using System.Buffers;
using System.Net;
using System.Text.RegularExpressions;
using QuantumEdge.Gateway.Configuration;

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

    public PhiDetector(PhiDetectionSettings settings)
    {
        _settings = settings;
        _names = new PhiNameFilter(settings.AllowTerms);
    }

    /// <summary>The entity types found in <paramref name="text"/> at or above the configured confidence.</summary>
    public PhiScanResult Scan(ReadOnlySpan<char> text)
    {
        var buffer = ArrayPool<char>.Shared.Rent(PhiTextNormalizer.MaxOutputLength(text.Length));
        try
        {
            var length = PhiTextNormalizer.Normalize(text, buffer);
            return ScanNormalized(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>The entity types found in the text fields of a JSON request body (see <see cref="PhiPromptText"/>).</summary>
    public PhiScanResult ScanJsonBody(ReadOnlySpan<byte> utf8Body)
    {
        var text = ArrayPool<char>.Shared.Rent(PhiPromptText.MaxLength(utf8Body.Length));
        try
        {
            var length = PhiPromptText.Extract(utf8Body, text);
            return Scan(text.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(text);
        }
    }

    private PhiScanResult ScanNormalized(ReadOnlySpan<char> text)
    {
        var scores = new Scores(_settings.ExtraPatterns.Count);
        try
        {
            ScanStructured(text, ref scores);
            ScanNames(text, ref scores);
            ScanExtra(text, ref scores);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pattern that ran out of time proves nothing either way: fail closed.
            scores.Raise(PhiEntities.Unscannable, 1.0);
        }

        return scores.Result(_settings.MinConfidence);
    }

    private static void ScanStructured(ReadOnlySpan<char> text, ref Scores scores)
    {
        Span<byte> digits = stackalloc byte[24];
        foreach (var m in PhiPatterns.Ssn().EnumerateMatches(text))
        {
            var span = text.Slice(m.Index, m.Length);
            var n = PhiValidators.Digits(span, digits);
            if (n != 9 || !PhiValidators.Ssn(digits[..9]))
            {
                continue;
            }

            var score = span.Contains('-') ? 0.6 : span.Contains(' ') ? 0.45 : 0.3;
            scores.Raise(PhiEntities.Ssn, Adjust(text, m.Index, m.Length, score, PhiContext.Ssn, 0.4));
        }

        foreach (var m in PhiPatterns.NanpPhone().EnumerateMatches(text))
        {
            var span = text.Slice(m.Index, m.Length);
            var n = PhiValidators.Digits(span, digits);
            if (n is < 10 or > 11 || !PhiValidators.NanpPhone(digits[..n]))
            {
                continue;
            }

            var score = n == 10 && span.IndexOfAnyExcept("0123456789") < 0 ? 0.35 : 0.6;
            if (PhiValidators.TollFree(digits[..n]))
            {
                score -= 0.3;
            }

            scores.Raise(PhiEntities.Phone, Adjust(text, m.Index, m.Length, score, PhiContext.Phone, 0.3));
        }

        foreach (var m in PhiPatterns.InternationalPhone().EnumerateMatches(text))
        {
            var n = PhiValidators.Digits(text.Slice(m.Index, m.Length), digits);
            if (n is >= 8 and <= 15)
            {
                scores.Raise(PhiEntities.Phone, Adjust(text, m.Index, m.Length, 0.6, PhiContext.Phone, 0.3));
            }
        }

        if (PhiTokenScan.HasEmail(text))
        {
            scores.Raise(PhiEntities.Email, 0.9);
        }

        foreach (var m in PhiPatterns.Url().EnumerateMatches(text))
        {
            var span = text.Slice(m.Index, m.Length);
            var score = span.Contains("patient", StringComparison.OrdinalIgnoreCase) || span.Contains("mrn", StringComparison.OrdinalIgnoreCase)
                || span.Contains("/~", StringComparison.Ordinal) || span.Contains("dob=", StringComparison.OrdinalIgnoreCase)
                ? 0.85
                : 0.5;
            scores.Raise(PhiEntities.Url, Adjust(text, m.Index, m.Length, score, PhiContext.Url, 0.35));
        }

        foreach (var m in PhiPatterns.Ipv4().EnumerateMatches(text))
        {
            var span = text.Slice(m.Index, m.Length);
            var score = span.StartsWith("127.", StringComparison.Ordinal) || span.StartsWith("0.", StringComparison.Ordinal) ? 0.2 : 0.6;
            scores.Raise(PhiEntities.IpAddress, Adjust(text, m.Index, m.Length, score, PhiContext.Ip, 0.3));
        }

        foreach (var m in PhiPatterns.Ipv6().EnumerateMatches(text))
        {
            var span = text.Slice(m.Index, m.Length);
            var colons = span.Count(':');
            var hasHexLetter = span.IndexOfAny("abcdefABCDEF") >= 0;
            if ((colons >= 5 || span.Contains("::", StringComparison.Ordinal) || hasHexLetter) && colons >= 2 && IPAddress.TryParse(span, out var ip)
                && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !IPAddress.IsLoopback(ip))
            {
                scores.Raise(PhiEntities.IpAddress, Adjust(text, m.Index, m.Length, colons >= 4 || hasHexLetter ? 0.7 : 0.4, PhiContext.Ip, 0.3));
            }
        }

        foreach (var m in PhiPatterns.CardNumber().EnumerateMatches(text))
        {
            var n = PhiValidators.Digits(text.Slice(m.Index, m.Length), digits);
            if (n > 0 && PhiValidators.PaymentCard(digits[..n]))
            {
                scores.Raise(PhiEntities.PaymentCard, Adjust(text, m.Index, m.Length, 0.75, PhiContext.Card, 0.2));
            }
        }

        ScanTokens(text, ref scores);
        for (var at = NextWordStart(text, 0, IdentifierLabels); at >= 0; at = NextWordStart(text, at + 1, IdentifierLabels))
        {
            // Anchored at the label: one attempt, bounded by the pattern, per label in the text.
            foreach (var m in PhiPatterns.LabelledIdentifier().EnumerateMatches(text.Slice(at, Math.Min(text.Length - at, 120))))
            {
                if (LabelledEntity(text.Slice(at + m.Index, m.Length)) is { } entity)
                {
                    scores.Raise(entity, 0.85);
                }
            }
        }

        foreach (var m in PhiPatterns.ZipCode().EnumerateMatches(text))
        {
            scores.Raise(PhiEntities.ZipCode, 0.85);
        }

        foreach (var m in PhiPatterns.StreetAddress().EnumerateMatches(text))
        {
            scores.Raise(PhiEntities.PostalAddress, 0.8);
        }

        // A date alone is not an identifier; a date of birth, admission, discharge or death is. Only
        // the stretch after such a word is searched, each stretch once.
        var windowEnd = 0;
        for (var at = NextWordStart(text, 0, DateWords); at >= 0; at = NextWordStart(text, at + 1, DateWords))
        {
            var from = Math.Max(at, windowEnd);
            windowEnd = Math.Min(text.Length, at + 96);
            if (from >= windowEnd)
            {
                continue;
            }

            // Start the window at a token boundary so that no date is cut in two.
            while (from > at && char.IsAsciiLetterOrDigit(text[from - 1]))
            {
                from--;
            }

            foreach (var m in PhiPatterns.Date().EnumerateMatches(text[from..windowEnd]))
            {
                if (PhiContext.Before(text, from + m.Index, PhiContext.Date, 40) && PlausibleDate(text.Slice(from + m.Index, m.Length)))
                {
                    scores.Raise(PhiEntities.Date, 0.9);
                }
            }
        }
    }

    private void ScanNames(ReadOnlySpan<char> text, ref Scores scores)
    {
        for (var at = NextWordStart(text, 0, NameLabels); at >= 0; at = NextWordStart(text, at + 1, NameLabels))
        {
            foreach (var m in PhiPatterns.LabelledName().EnumerateMatches(text.Slice(at, Math.Min(text.Length - at, 96))))
            {
                if (_names.IsName(text.Slice(at + m.Index, m.Length)))
                {
                    scores.Raise(PhiEntities.Name, 0.7);
                }
            }
        }

        foreach (var m in PhiPatterns.HonorificName().EnumerateMatches(text))
        {
            if (_names.IsName(text.Slice(m.Index, m.Length)))
            {
                scores.Raise(PhiEntities.Name, 0.75);
            }
        }
    }

    private void ScanExtra(ReadOnlySpan<char> text, ref Scores scores)
    {
        for (var i = 0; i < _settings.ExtraPatterns.Count; i++)
        {
            var pattern = _settings.ExtraPatterns[i];
            var words = pattern.Context as string[] ?? [.. pattern.Context];
            foreach (var m in pattern.Regex.EnumerateMatches(text))
            {
                var score = words.Length == 0 ? 0.9 : Adjust(text, m.Index, m.Length, 0.5, words, 0.4);
                scores.Raise(pattern.Name, score);
                if (score >= 0.9)
                {
                    break;
                }
            }
        }
    }

    /// <summary>First words of the labels <see cref="PhiPatterns.LabelledIdentifier"/> starts with.</summary>
    private static readonly SearchValues<string> IdentifierLabels = SearchValues.Create(
        ["mrn", "m.r.n", "mr", "med", "record", "chart", "hosp", "unit", "encounter", "case", "visit", "admission", "episode", "patient", "pt",
         "acc", "billing", "invoice", "claim", "member", "subscriber", "policy", "group", "insur", "plan", "health", "beneficiary", "payer",
         "medicaid", "medicare", "mbi", "hicn", "serial", "s/n", "sn#", "device", "implant", "pacemaker", "pump", "icd", "defibrillator", "udi",
         "imei", "vin", "vehicle", "licen", "plate"], StringComparison.OrdinalIgnoreCase);

    /// <summary>First words of the labels <see cref="PhiPatterns.LabelledName"/> starts with.</summary>
    private static readonly SearchValues<string> NameLabels = SearchValues.Create(
        ["patient", "pt", "mother", "father", "son", "daughter", "wife", "husband", "spouse", "partner", "guardian", "caregiver", "next of kin",
         "nok", "sister", "brother", "name", "re:", "re :", "contact", "emergency", "informant", "client", "resident", "referred", "subject"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> DateWords = SearchValues.Create(PhiContext.Date, StringComparison.OrdinalIgnoreCase);

    /// <summary>Index of the next of <paramref name="words"/> at or after <paramref name="from"/> that starts a word; -1 when none.</summary>
    private static int NextWordStart(ReadOnlySpan<char> text, int from, SearchValues<string> words)
    {
        while (from < text.Length)
        {
            var at = text[from..].IndexOfAny(words);
            if (at < 0)
            {
                return -1;
            }

            at += from;
            if (at == 0 || !char.IsAsciiLetter(text[at - 1]))
            {
                return at;
            }

            from = at + 1;
        }

        return -1;
    }

    /// <summary>Single-token identifiers: NPI (ten digits), DEA, VIN, and record-number shapes near record words.</summary>
    private static void ScanTokens(ReadOnlySpan<char> text, ref Scores scores)
    {
        PhiTokenScan.Tokens(text, ref scores, static (ReadOnlySpan<char> t, int index, int length, char before, char after, ref Scores s) =>
        {
            var token = t.Slice(index, length);
            var bounded = before != '-' && after != '-';
            Span<byte> digits = stackalloc byte[24];
            var n = length <= 24 ? PhiValidators.Digits(token, digits) : -1;
            if (bounded && n == 10 && length == 10 && PhiValidators.Npi(digits[..10]))
            {
                s.Raise(PhiEntities.Npi, Adjust(t, index, length, 0.35, PhiContext.Npi, 0.5));
            }

            if (length == 9 && n == 7 && PhiValidators.Dea(token) && "ABCDEFGHJKLMPRSTUXabcdefghjklmprstux".Contains(token[0]))
            {
                s.Raise(PhiEntities.Dea, Adjust(t, index, length, 0.6, PhiContext.Dea, 0.35));
            }

            if (length == 17 && PhiValidators.Vin(token))
            {
                s.Raise(PhiEntities.VehicleId, Adjust(t, index, length, 0.6, PhiContext.Vin, 0.3));
            }

            // Tables and forms put the label in a header or a key, away from the value.
            if (bounded && n is >= 6 and <= 12 && length - n <= 3 && token[..(length - n)].IndexOfAnyInRange('0', '9') < 0
                && PhiContext.Before(t, index, PhiContext.RecordNumber, 64))
            {
                s.Raise(PhiEntities.MedicalRecordNumber, 0.8);
            }
        });
    }

    /// <summary>A pattern's score moved up by its context words and down by code-system words nearby.</summary>
    private static double Adjust(ReadOnlySpan<char> text, int index, int length, double score, string[] context, double boost)
    {
        if (PhiContext.Near(text, index, index + length, context))
        {
            score += boost;
        }
        else if (PhiContext.Before(text, index, PhiContext.NotIdentifier, 24))
        {
            score -= 0.3;
        }

        return Math.Clamp(score, 0, 1);
    }

    /// <summary>The entity a labelled identifier is, from its label; null when the token after it is no identifier (a year, a count).</summary>
    private static string? LabelledEntity(ReadOnlySpan<char> match)
    {
        // The token is the last run of the match; it must hold enough digits to identify someone.
        var tokenStart = match.LastIndexOfAny(" \t\"':#=|,.[]") + 1;
        var token = match[tokenStart..].Trim("()-/");
        var digits = 0;
        var letters = 0;
        foreach (var c in token)
        {
            digits += char.IsAsciiDigit(c) ? 1 : 0;
            letters += char.IsAsciiLetter(c) ? 1 : 0;
        }

        var label = match[..tokenStart];
        var vehicle = Has(label, "vin") || Has(label, "vehicle") || Has(label, "plate");
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
            _ when Has(label, "serial") || Has(label, "s/n") || Has(label, "sn#") || Has(label, "device") || Has(label, "udi") || Has(label, "imei")
                || Has(label, "implant") || Has(label, "pacemaker") || Has(label, "pump") || Has(label, "icd ") || Has(label, "defibrillator") => PhiEntities.DeviceId,
            _ when Has(label, "acc") || Has(label, "billing") || Has(label, "invoice") || Has(label, "claim") => PhiEntities.AccountNumber,
            _ when Has(label, "member") || Has(label, "subscriber") || Has(label, "policy") || Has(label, "group") || Has(label, "insur")
                || Has(label, "plan") || Has(label, "medicaid") || Has(label, "medicare") || Has(label, "mbi") || Has(label, "hicn")
                || Has(label, "beneficiary") || Has(label, "payer") => PhiEntities.HealthPlanNumber,
            _ => PhiEntities.MedicalRecordNumber,
        };

        static bool Has(ReadOnlySpan<char> label, string word) => label.Contains(word, StringComparison.OrdinalIgnoreCase);
    }

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

    /// <summary>Best score per entity type, without allocating per match.</summary>
    private struct Scores(int extraCount)
    {
        private readonly Dictionary<string, double> _best = new(PhiEntities.BuiltIn.Count + extraCount, StringComparer.Ordinal);

        public readonly void Raise(string entity, double score)
        {
            if (!_best.TryGetValue(entity, out var current) || score > current)
            {
                _best[entity] = score;
            }
        }

        public readonly PhiScanResult Result(double minConfidence)
        {
            List<PhiFinding>? found = null;
            foreach (var (entity, score) in _best)
            {
                if (score >= minConfidence)
                {
                    (found ??= []).Add(new PhiFinding(entity, Math.Round(score, 2)));
                }
            }

            if (found is null)
            {
                return PhiScanResult.None;
            }

            found.Sort((x, y) => string.CompareOrdinal(x.Entity, y.Entity));
            return new PhiScanResult(found);
        }
    }
}
