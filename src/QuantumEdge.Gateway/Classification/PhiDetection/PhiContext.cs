namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// Context words near a match, as Presidio's recognizers use them: words that name the
/// identifier raise a weak pattern's score, words that name something else (a code system, a
/// version) lower it. Looked up in a short window of the normalised text, whole words only.
/// </summary>
internal static class PhiContext
{
    /// <summary>Characters before a match searched for context.</summary>
    internal const int WindowBefore = 48;
    /// <summary>Characters after a match searched for context.</summary>
    internal const int WindowAfter = 16;

    internal static readonly PhiWordSet Ssn = new(["ssn", "ss#", "ss #", "social security", "soc sec", "social sec", "tax id", "itin", "tin"]);
    internal static readonly PhiWordSet Phone =
        new(["phone", "ph", "tel", "telephone", "cell", "mobile", "fax", "call", "contact", "pager", "beeper", "home", "work", "reach", "reached", "number", "text", "whatsapp", "landline", "ext", "voicemail"]);
    internal static readonly PhiWordSet Npi = new(["npi", "national provider", "provider id", "provider number", "prescriber"]);
    internal static readonly PhiWordSet Dea = new(["dea", "dea#", "registration", "prescriber", "controlled substance"]);
    internal static readonly PhiWordSet Card = new(["card", "visa", "mastercard", "amex", "american express", "discover", "credit", "debit", "cc", "payment", "paid", "charge", "billing"]);
    internal static readonly PhiWordSet Url =
        new(["my", "patient's", "his", "her", "their", "portal", "profile", "blog", "facebook", "instagram", "twitter", "linkedin", "tiktok", "homepage", "personal", "website", "photos", "gofundme", "page"]);
    internal static readonly PhiWordSet Ip = new(["ip", "ip address", "address", "host", "device", "logged in", "login", "connected", "remote", "client", "server", "router", "vpn"]);
    internal static readonly PhiWordSet RecordNumber = new(["mrn", "medical record", "record no", "record number", "chart no", "chart number", "hospital no", "hospital number", "patient id", "mr#"]);
    internal static readonly PhiWordSet Vin = new(["vin", "vehicle", "car", "truck", "motorcycle", "chassis"]);
    internal static readonly PhiWordSet Date =
        new(["dob", "d.o.b", "d.o.b.", "date of birth", "birth date", "birthdate", "birthday", "born", "b.", "admitted", "admission", "admit", "admit date", "adm",
         "discharged", "discharge", "d/c", "dc'd", "died", "death", "date of death", "dod", "deceased", "expired", "passed away", "dos", "date of service",
         "delivered", "delivery", "surgery on", "operated on", "seen on", "presented on", "visit on"]);

    /// <summary>Code systems and versions: a number next to these is a code, not an identifier.</summary>
    internal static readonly PhiWordSet NotIdentifier =
        new(["icd", "icd-10", "icd10", "cpt", "loinc", "snomed", "sct", "sctid", "rxnorm", "rxcui", "ndc", "hcpcs", "code", "version", "ver", "v", "build", "release", "lot", "batch", "catalog", "cat", "ref", "pmid", "doi", "isbn", "issn"]);

    /// <summary>A pattern's score moved up by its context words and down by code-system words nearby.</summary>
    internal static double Adjust(ReadOnlySpan<char> text, int index, int length, double score, PhiWordSet context, double boost) =>
        Adjusted(text, index, score, Near(text, index, index + length, context), boost);

    /// <summary>As the other overload, for an operator's pattern with its own context words.</summary>
    internal static double Adjust(ReadOnlySpan<char> text, int index, int length, double score, string[] context, double boost) =>
        Adjusted(text, index, score, Near(text, index, index + length, context), boost);

    private static double Adjusted(ReadOnlySpan<char> text, int index, double score, bool near, double boost)
    {
        if (near)
        {
            score += boost;
        }
        else if (Before(text, index, NotIdentifier, 24))
        {
            score -= 0.3;
        }

        return Math.Clamp(score, 0, 1);
    }

    /// <summary>Whether any word appears, as a whole word, within the window around text[start..end].</summary>
    internal static bool Near(ReadOnlySpan<char> text, int start, int end, PhiWordSet words)
    {
        var from = Math.Max(0, start - WindowBefore);
        var to = Math.Min(text.Length, end + WindowAfter);
        return words.ContainsWord(text[from..start]) || words.ContainsWord(text[end..to]);
    }

    /// <summary>Whether any word appears, as a whole word, in the window before text[start..].</summary>
    internal static bool Before(ReadOnlySpan<char> text, int start, PhiWordSet words, int window = WindowBefore) =>
        words.ContainsWord(text[Math.Max(0, start - window)..start]);

    /// <summary>Whether any of an operator's context words appears, as a whole word, within the window around text[start..end].</summary>
    private static bool Near(ReadOnlySpan<char> text, int start, int end, string[] words)
    {
        var from = Math.Max(0, start - WindowBefore);
        var to = Math.Min(text.Length, end + WindowAfter);
        return Contains(text[from..start], words) || Contains(text[end..to], words);
    }

    private static bool Contains(ReadOnlySpan<char> window, string[] words)
    {
        foreach (var word in words)
        {
            var offset = 0;
            while (offset < window.Length)
            {
                var at = window[offset..].IndexOf(word, StringComparison.OrdinalIgnoreCase);
                if (at < 0)
                {
                    break;
                }

                at += offset;
                var end = at + word.Length;
                if ((at == 0 || !char.IsAsciiLetter(window[at - 1])) && (end == window.Length || !char.IsAsciiLetter(window[end])))
                {
                    return true;
                }

                offset = at + 1;
            }
        }

        return false;
    }
}
