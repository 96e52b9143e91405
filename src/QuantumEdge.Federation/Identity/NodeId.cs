namespace QuantumEdge.Federation.Identity;

/// <summary>
/// Node and federation identifiers: 1–64 characters of a–z, 0–9, '.', '_' and '-', starting with
/// a letter or digit. Narrow on purpose: they appear in logs, metrics labels and file contents.
/// </summary>
public static class NodeId
{
    public const int MaxLength = 64;

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength || !IsLetterOrDigit(id[0]))
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!IsLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLetterOrDigit(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
