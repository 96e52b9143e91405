namespace QuantumEdge.Node.Demo;

/// <summary>One clinical request of the demo workload (the prompt text is synthetic).</summary>
internal sealed record DemoRequest(
    int Index,
    string Node,
    DemoUser User,
    string Classification,
    string? SessionId,
    string Prompt,
    bool Stream,
    string Endpoint);

/// <summary>A demo user: who they are and which token they present.</summary>
internal sealed record DemoUser(string Subject, string Role, string Department, string Kind = "valid");

/// <summary>
/// A mixed clinical workload: doctors, nurses and researchers in several departments, every
/// data class (and missing headers), conversations that share a long prompt prefix, streaming
/// and not, plus a few callers who should be refused (no token, expired token, unknown role).
/// </summary>
internal static class DemoWorkload
{
    public static readonly DemoUser[] Users =
    [
        new("dr.okafor", "doctor", "emergency"),
        new("dr.lindqvist", "doctor", "icu"),
        new("dr.haddad", "doctor", "surgery"),
        new("dr.moreau", "doctor", "general"),
        new("rn.patel", "nurse", "emergency"),
        new("rn.santos", "nurse", "icu"),
        new("rn.kowalski", "nurse", "general"),
        new("res.nakamura", "researcher", "research"),
        new("res.oyelaran", "researcher", "research"),
    ];

    private static readonly DemoUser[] Refused =
    [
        new("anonymous", "doctor", "general", "missing"),
        new("dr.former", "doctor", "general", "expired"),
        new("visitor.kim", "visitor", "general"),
    ];

    private static readonly string[] Classes = ["phi", "phi", "clinical_notes", "clinical_notes", "research_data", "public", "system_logs", ""];

    private static readonly string[] Prefixes =
    [
        "You are a clinical documentation assistant for the emergency department. Follow hospital policy HP-114 on discharge summaries, use SI units, flag any abnormal lab value, and never speculate beyond the record. ",
        "You are an ICU handover assistant. Summarise overnight events by organ system (neuro, cardio, resp, renal, ID), list active infusions with rates, and end with the three most important actions for the day team. ",
        "You are a research assistant for de-identified cohort queries. Answer with aggregate statistics only and cite the cohort definition used. ",
    ];

    private static readonly string[] Questions =
    [
        "Summarise the attached note in three bullet points.",
        "Draft a discharge summary for the case described.",
        "List differential diagnoses worth considering.",
        "Rewrite this for a patient-friendly leaflet.",
        "What follow-up tests are usually ordered here?",
        "Translate the medication list into plain language.",
    ];

    public static List<DemoRequest> Generate(int count, int seed, IReadOnlyList<string> nodes)
    {
        var rng = new Random(seed);
        var list = new List<DemoRequest>(count);
        for (var i = 0; i < count; i++)
        {
            var user = rng.NextDouble() < 0.04 ? Refused[rng.Next(Refused.Length)] : Users[rng.Next(Users.Length)];
            var conversation = rng.Next(12);
            var shared = rng.NextDouble() < 0.6;
            var prefix = Prefixes[conversation % Prefixes.Length];
            var prompt = shared
                ? prefix + $"Case {conversation}: " + Questions[rng.Next(Questions.Length)]
                : $"Case {rng.Next(100_000)} note {i}: " + Questions[rng.Next(Questions.Length)] + " " + new string('x', rng.Next(50, 800));
            var endpoint = rng.NextDouble() switch
            {
                < 0.8 => "chat",
                < 0.9 => "completions",
                _ => "embeddings",
            };
            list.Add(new DemoRequest(
                i,
                nodes[rng.Next(nodes.Count)],
                user,
                user.Role == "researcher" ? (rng.NextDouble() < 0.8 ? "research_data" : "phi") : Classes[rng.Next(Classes.Length)],
                shared ? $"session-{conversation}" : null,
                prompt,
                endpoint != "embeddings" && rng.NextDouble() < 0.5,
                endpoint));
        }

        return list;
    }
}
