namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// Tells a person's name from capitalised clinical words that stand where a name could:
/// eponyms and drug names (the allow-list, extendable in config) and words that follow
/// "Patient" in ordinary prose ("Patient Education", "Patient Controlled Analgesia").
/// </summary>
internal sealed class PhiNameFilter
{
    /// <summary>Eponyms and brand/generic drug names seen capitalised in clinical text.</summary>
    internal static readonly string[] DefaultAllowTerms =
    [
        "parkinson", "alzheimer", "crohn", "hodgkin", "cushing", "addison", "hashimoto", "huntington", "raynaud", "sjogren", "sjögren",
        "kawasaki", "guillain", "barre", "barré", "tourette", "asperger", "marfan", "klinefelter", "meniere", "ménière", "paget", "apgar",
        "glasgow", "babinski", "mcburney", "kernig", "brudzinski", "trendelenburg", "heimlich", "foley", "whipple", "nissen", "billroth",
        "hartmann", "colles", "lisfranc", "wernicke", "korsakoff", "kaposi", "epstein", "hirschsprung", "creutzfeldt", "jakob", "tay", "sachs",
        "duchenne", "fallot", "wolff", "ehlers", "danlos", "bence", "virchow", "horner", "charcot", "osler", "cheyne", "stokes", "kussmaul",
        "tylenol", "advil", "motrin", "aleve", "lipitor", "zoloft", "prozac", "xanax", "ativan", "valium", "lasix", "coumadin", "eliquis",
        "xarelto", "plavix", "keppra", "dilantin", "synthroid", "humira", "ozempic", "jardiance", "januvia", "lantus", "humalog", "norco",
        "percocet", "dilaudid", "narcan", "zofran", "protonix", "nexium", "augmentin", "keflex", "cipro", "levaquin", "flagyl", "bactrim",
        "metformin", "lisinopril", "atorvastatin", "amlodipine", "metoprolol", "losartan", "warfarin", "heparin", "insulin", "amoxicillin",
        "prednisone", "gabapentin", "furosemide", "albuterol", "levothyroxine", "omeprazole", "sertraline", "ondansetron", "morphine",
    ];

    /// <summary>Words that follow a label word in prose, never part of a name.</summary>
    private static readonly HashSet<string> NotNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "is", "was", "has", "had", "presents", "presented", "reports", "reported", "denies", "states", "stated", "education", "safety", "care",
        "portal", "history", "information", "info", "summary", "instructions", "consent", "controlled", "assistance", "advocate", "navigator",
        "centered", "centred", "transport", "experience", "monitoring", "demographics", "record", "records", "name", "number", "id", "age", "sex",
        "gender", "disease", "syndrome", "medicine", "hospital", "clinic", "center", "centre", "department", "unit", "service", "services",
        "protocol", "guideline", "guidelines", "assessment", "plan", "note", "notes", "list", "form", "satisfaction", "identifier", "label",
        "status", "type", "weight", "height", "allergies", "allergy", "medication", "medications", "complaint", "chief", "diagnosis", "none",
        "unknown", "not", "no", "yes", "left", "right", "male", "female", "admission", "discharge", "follow", "visit", "the", "a", "an", "of",
        "and", "with", "without", "for", "in", "on", "at", "to", "who", "will", "should", "may", "can", "positive", "negative", "test", "results",
        "result", "reviewed", "feels", "tolerated", "tolerating", "lives", "works", "remains", "underwent", "received", "requires", "declined",
        "agrees", "understands", "verbalized", "ambulating", "afebrile", "stable", "alert", "oriented", "sleeping", "resting", "awake", "hiv",
        "copd", "chf", "icu", "er", "ed", "or", "pacu", "ward", "bed", "room", "health", "medical", "mental", "primary", "secondary", "questionnaire",
        "reported", "outcome", "outcomes", "portal", "access", "flow", "identification", "handout", "leaflet", "rights", "responsibilities",
        "registration", "intake", "transfer", "relations", "relationship", "representative", "day", "week", "month", "year",
    };

    private readonly HashSet<string> _allow;

    internal PhiNameFilter(IEnumerable<string> extraAllowTerms)
    {
        _allow = new HashSet<string>(DefaultAllowTerms, StringComparer.OrdinalIgnoreCase);
        foreach (var term in extraAllowTerms)
        {
            // A configured term may be several words ("tay sachs"): each is allowed.
            foreach (var word in term.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                _allow.Add(word);
            }
        }
    }

    /// <summary>Label words that open a name match and are not part of the name.</summary>
    private static readonly HashSet<string> Labels = new(StringComparer.OrdinalIgnoreCase)
    {
        "patient", "pt", "mother", "father", "son", "daughter", "wife", "husband", "spouse", "partner", "guardian", "caregiver", "next", "of",
        "kin", "nok", "sister", "brother", "name", "re", "contact", "emergency", "informant", "client", "resident", "referred", "by", "subject",
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof",
    };

    /// <summary>Whether the words of a matched name form (label and name) are a person's name.</summary>
    internal bool IsName(ReadOnlySpan<char> match)
    {
        var first = true;
        var sawName = false;
        var inLabel = true;
        var i = 0;
        var alternate = _allow.GetAlternateLookup<ReadOnlySpan<char>>();
        var notNames = NotNames.GetAlternateLookup<ReadOnlySpan<char>>();
        var labels = Labels.GetAlternateLookup<ReadOnlySpan<char>>();
        while (i < match.Length)
        {
            while (i < match.Length && !char.IsLetter(match[i]))
            {
                i++;
            }

            var start = i;
            while (i < match.Length && (char.IsLetter(match[i]) || (match[i] == '\'' && i + 1 < match.Length && char.IsLetter(match[i + 1]))))
            {
                i++;
            }

            if (i == start)
            {
                break;
            }

            var word = match[start..i];
            if (word.EndsWith("'s", StringComparison.OrdinalIgnoreCase))
            {
                word = word[..^2];
            }

            if (inLabel && labels.Contains(word) && !(word.Length > 0 && char.IsUpper(word[0]) && sawName))
            {
                // Still in the label ("Patient Name:", "Next of kin:") unless a capitalised word followed it.
                var afterLabel = i < match.Length && match[i] is ':' or '=' or '-';
                if (afterLabel)
                {
                    inLabel = false;
                }

                continue;
            }

            inLabel = false;
            if (notNames.Contains(word))
            {
                return false;
            }

            if (first && alternate.Contains(word))
            {
                return false;
            }

            first = false;
            sawName = true;
        }

        return sawName;
    }
}
