namespace QuantumEdge.Gateway.Routing;

/// <summary>
/// A fast, non-cryptographic 64-bit hash (FNV-1a) of prompt text, used only to recognise a shared
/// prompt prefix (KV-cache affinity). Never stored or sent anywhere; the audit uses a keyed HMAC.
/// </summary>
internal static class PromptFingerprint64
{
    public static ulong Of(ReadOnlySpan<char> text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
