using System.Text;

namespace QuantumEdge.Node.Hosting;

/// <summary>Caller-supplied text quoted in an error message: cut so that a hostile name cannot make the answer or the log line large.</summary>
internal static class MessageText
{
    /// <summary>
    /// <paramref name="text"/> (empty when null), cut to <paramref name="maxLength"/> characters and an ellipsis when longer,
    /// each control character shown as <c>?</c> so that a quoted name cannot break a log line or a terminal.
    /// </summary>
    public static string Shorten(string? text, int maxLength = 40)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var cut = text.Length <= maxLength ? text.Length : maxLength;
        if (cut < text.Length && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--; // never half of a surrogate pair: it would be written as U+FFFD
        }

        if (cut == text.Length && !text.Any(char.IsControl))
        {
            return text;
        }

        var shown = new StringBuilder(cut + 1);
        foreach (var c in text.AsSpan(0, cut))
        {
            shown.Append(char.IsControl(c) ? '?' : c);
        }

        return cut < text.Length ? shown.Append('…').ToString() : shown.ToString();
    }
}
