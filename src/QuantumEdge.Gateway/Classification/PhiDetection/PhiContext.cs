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

    internal static readonly string[] Ssn = ["ssn", "ss#", "ss #", "social security", "soc sec", "social sec", "tax id", "itin", "tin"];
    internal static readonly string[] Phone =
        ["phone", "ph", "tel", "telephone", "cell", "mobile", "fax", "call", "contact", "pager", "beeper", "home", "work", "reach", "reached", "number", "text", "whatsapp", "landline", "ext", "voicemail"];
    internal static readonly string[] Npi = ["npi", "national provider", "provider id", "provider number", "prescriber"];
    internal static readonly string[] Dea = ["dea", "dea#", "registration", "prescriber", "controlled substance"];
    internal static readonly string[] Card = ["card", "visa", "mastercard", "amex", "american express", "discover", "credit", "debit", "cc", "payment", "paid", "charge", "billing"];
    internal static readonly string[] Url =
        ["my", "patient's", "his", "her", "their", "portal", "profile", "blog", "facebook", "instagram", "twitter", "linkedin", "tiktok", "homepage", "personal", "website", "photos", "gofundme", "page"];
    internal static readonly string[] Ip = ["ip", "ip address", "address", "host", "device", "logged in", "login", "connected", "remote", "client", "server", "router", "vpn"];
    internal static readonly string[] RecordNumber = ["mrn", "medical record", "record no", "record number", "chart no", "chart number", "hospital no", "hospital number", "patient id", "mr#"];
    internal static readonly string[] Vin = ["vin", "vehicle", "car", "truck", "motorcycle", "chassis"];
    internal static readonly string[] Date =
        ["dob", "d.o.b", "d.o.b.", "date of birth", "birth date", "birthdate", "birthday", "born", "b.", "admitted", "admission", "admit", "admit date", "adm",
         "discharged", "discharge", "d/c", "dc'd", "died", "death", "date of death", "dod", "deceased", "expired", "passed away", "dos", "date of service",
         "delivered", "delivery", "surgery on", "operated on", "seen on", "presented on", "visit on"];

    /// <summary>Code systems and versions: a number next to these is a code, not an identifier.</summary>
    internal static readonly string[] NotIdentifier =
        ["icd", "icd-10", "icd10", "cpt", "loinc", "snomed", "sct", "sctid", "rxnorm", "rxcui", "ndc", "hcpcs", "code", "version", "ver", "v", "build", "release", "lot", "batch", "catalog", "cat", "ref", "pmid", "doi", "isbn", "issn"];

    /// <summary>Whether any word appears, as a whole word, within the window around text[start..end].</summary>
    internal static bool Near(ReadOnlySpan<char> text, int start, int end, string[] words)
    {
        var from = Math.Max(0, start - WindowBefore);
        var to = Math.Min(text.Length, end + WindowAfter);
        return Contains(text[from..start], words) || Contains(text[end..to], words);
    }

    /// <summary>Whether any word appears, as a whole word, in the window before text[start..].</summary>
    internal static bool Before(ReadOnlySpan<char> text, int start, string[] words, int window = WindowBefore) =>
        Contains(text[Math.Max(0, start - window)..start], words);

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
