using NSec.Cryptography;

namespace QuantumEdge.Ledger.Crypto;

/// <summary>
/// libsodium, the native library behind NSec (the node's Ed25519 identity and the ledger's Argon2id
/// key derivation). It ships beside the binary as <c>libsodium.so</c> (<c>libsodium.dll</c> on
/// Windows); a node copied without it failed every ledger command with a bare
/// <c>TypeInitializationException</c>.
/// </summary>
public static class SodiumLibrary
{
    /// <summary>What an operator should do when the library cannot be loaded.</summary>
    public const string Advice = "it ships beside the quantumedge binary as libsodium.so (libsodium.dll on Windows): keep the two in one directory";

    /// <summary>Why libsodium cannot be used in this process, or null when it loads.</summary>
    public static string? Problem()
    {
        try
        {
            // The first use of an algorithm loads and initialises the library.
            _ = SignatureAlgorithm.Ed25519.PublicKeySize;
            return null;
        }
        catch (Exception e) when (Describe(e) is { } described)
        {
            return described;
        }
    }

    /// <summary>
    /// The problem when <paramref name="e"/> (or an exception it wraps) is a native library that
    /// could not be loaded, or null for any other exception.
    /// </summary>
    public static string? Describe(Exception e)
    {
        for (Exception? at = e; at is not null; at = at.InnerException)
        {
            // Only libsodium's: another native library that failed (OpenSSL's) is not to be named as this one.
            if (at is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException && at.Message.Contains("sodium", StringComparison.OrdinalIgnoreCase))
            {
                // The runtime's message goes on to advise strace and LD_DEBUG; its first sentence names what failed.
                var first = at.Message.Split('\n', 2)[0].Trim();
                var sentence = first.IndexOf(". ", StringComparison.Ordinal);
                first = sentence > 0 ? first[..(sentence + 1)] : first;
                return $"the native library libsodium could not be loaded ({first}); {Advice}";
            }
        }

        return null;
    }
}
