namespace QuantumEdge.Node.Cli;

/// <summary>
/// Whether a <c>MASTER_KEY</c> carries at least 128 bits of entropy, by a conservative estimate from
/// the text alone: its length times the Shannon entropy of its characters' distribution (bits per
/// character). Random keys score close to their true entropy (<c>openssl rand -base64 32</c> scores
/// about 200, never under 180), while short, repetitive or word-built keys score low
/// ("published-binary-master-key" about 107, "abc" about 5). An estimate cannot prove a key random;
/// it refuses the keys that are certainly too weak.
/// </summary>
internal static class MasterKeyStrength
{
    public const int MinimumBits = 128;

    public const string HowToGenerate = "generate one with: openssl rand -base64 32";

    public static double EstimatedBits(string key)
    {
        var counts = new Dictionary<char, int>();
        foreach (var c in key)
        {
            counts[c] = counts.GetValueOrDefault(c) + 1;
        }

        var perCharacter = 0.0;
        foreach (var n in counts.Values)
        {
            var p = (double)n / key.Length;
            perCharacter -= p * Math.Log2(p);
        }

        return perCharacter * key.Length;
    }

    /// <summary>Why the key is unusable (never quoting it), or null when it is strong enough.</summary>
    public static string? Problem(string? key) =>
        string.IsNullOrEmpty(key)
            ? $"is not set; the ledger's encryption keys are derived from it ({HowToGenerate})"
            : EstimatedBits(key) < MinimumBits
            ? $"is too weak: about {EstimatedBits(key):F0} bits of entropy by estimate, at least {MinimumBits} are required ({HowToGenerate})"
            : null;
}
