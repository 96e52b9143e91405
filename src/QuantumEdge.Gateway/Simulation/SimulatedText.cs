namespace QuantumEdge.Gateway.Simulation;

/// <summary>Deterministic filler text: the same prompt always yields the same words.</summary>
internal static class SimulatedText
{
    private static readonly string[] Words =
    [
        "patient", "presents", "with", "stable", "vitals", "recommend", "follow-up", "within", "two", "weeks",
        "review", "medication", "history", "no", "acute", "findings", "consider", "imaging", "if", "symptoms",
        "persist", "discharge", "summary", "notes", "the", "and", "plan", "monitor", "labs", "daily",
        "assessment", "unremarkable", "continue", "current", "therapy", "consult", "cardiology", "as", "needed", "today",
    ];

    public static ulong Hash(ReadOnlySpan<char> text) => Routing.PromptFingerprint64.Of(text);

    /// <summary>Number of tokens to generate for a prompt: deterministic, bounded by max_tokens.</summary>
    public static int OutputTokens(ulong promptHash, int? maxTokens) =>
        Math.Max(1, Math.Min(maxTokens ?? int.MaxValue, 16 + (int)(promptHash % 48)));

    /// <summary>The i-th token of the answer, with a leading space after the first.</summary>
    public static string Token(ulong promptHash, int index)
    {
        var x = promptHash + ((ulong)index * 0x9E3779B97F4A7C15UL);
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        var word = Words[(int)(x % (ulong)Words.Length)];
        return index == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : " " + word;
    }

    public static int PromptTokens(int characters) => Math.Max(1, (characters + 3) / 4);
}
