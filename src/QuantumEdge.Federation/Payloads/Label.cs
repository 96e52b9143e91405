namespace QuantumEdge.Federation.Payloads;

/// <summary>
/// Model and category names in a release: 1–128 characters of letters, digits and . _ - : / @ +.
/// No spaces and no other punctuation, so free text cannot ride along in a label.
/// </summary>
public static class Label
{
    public const int MaxLength = 128;

    public static bool IsValid(string? label)
    {
        if (string.IsNullOrEmpty(label) || label.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-' or ':' or '/' or '@' or '+'))
            {
                return false;
            }
        }

        return true;
    }
}
