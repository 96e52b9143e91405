using System.Globalization;

namespace QuantumEdge.Ledger.Crypto;

/// <summary>
/// Whitespace at either end of <c>MASTER_KEY</c>. A line break that <c>echo</c>, an editor or a secret
/// made from a file (<c>kubectl create secret generic --from-file</c>, Docker's <c>--env-file</c>)
/// leaves on the value is part of the key's bytes: a ledger created from it does not open with the same
/// key written without it, and the operator sees only "does not match". So a new ledger is not created
/// from such a key, and a key that does not match says so when it carries one.
/// </summary>
public static class MasterKeyEdges
{
    /// <summary>
    /// What is at the key's edges, as "ends with a line break (\n)" or "begins with a space", or null
    /// when neither end is whitespace. Never quotes the key.
    /// </summary>
    public static string? Describe(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        var first = char.IsWhiteSpace(key[0]);
        var last = char.IsWhiteSpace(key[^1]);
        return (first, last) switch
        {
            (true, true) when key.Length == 1 || key[0] == key[^1] => $"begins and ends with {Name(key[0])}",
            (true, true) => $"begins with {Name(key[0])} and ends with {Name(key[^1])}",
            (true, false) => $"begins with {Name(key[0])}",
            (false, true) => $"ends with {Name(key[^1])}",
            _ => null,
        };
    }

    /// <summary>Why a new ledger is not created from this key; null when its edges are not whitespace.</summary>
    public static string? CreationRefusal(string? key, string ledger) =>
        Describe(key) is { } edge
            ? $"MASTER_KEY {edge}; {ledger} would be encrypted with those bytes too, and the same key written without it would not open it. "
              + "Remove the whitespace from the value (no ledger was created)."
            : null;

    /// <summary>The sentence a "does not match" error ends with when the key given carries whitespace at an end, else "".</summary>
    internal static string MismatchHint(string? key) =>
        Describe(key) is { } edge ? $" The MASTER_KEY given {edge}: if the ledger was created from the key without it, remove it." : "";

    private static string Name(char c) => c switch
    {
        '\n' => @"a line break (\n)",
        '\r' => @"a carriage return (\r)",
        '\t' => @"a tab (\t)",
        ' ' => "a space",
        _ => string.Create(CultureInfo.InvariantCulture, $"whitespace (U+{(int)c:X4})"),
    };
}
