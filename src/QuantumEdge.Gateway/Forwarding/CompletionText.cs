namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Tells whether a streamed chunk carries completion text: a non-empty <c>content</c>,
/// <c>text</c>, <c>refusal</c>, <c>reasoning_content</c> or tool-call <c>arguments</c> string.
/// A chunk with only the role or a finish reason discloses nothing, so a stream cut before any
/// text keeps no privacy charge.
/// </summary>
internal static class CompletionText
{
    private static readonly byte[][] Keys =
    [
        "\"content\""u8.ToArray(),
        "\"text\""u8.ToArray(),
        "\"refusal\""u8.ToArray(),
        "\"reasoning_content\""u8.ToArray(),
        "\"arguments\""u8.ToArray(),
    ];

    public static bool In(ReadOnlySpan<byte> chunk)
    {
        foreach (var key in Keys)
        {
            var rest = chunk;
            int at;
            while ((at = rest.IndexOf(key)) >= 0)
            {
                var after = rest[(at + key.Length)..].TrimStart(" \t"u8);
                rest = rest[(at + key.Length)..];
                if (after.Length > 0 && after[0] == (byte)':')
                {
                    after = after[1..].TrimStart(" \t"u8);
                    // A string value that is not empty ("" is no text; a quote right after the opening one ends it).
                    if (after.Length >= 2 && after[0] == (byte)'"' && after[1] != (byte)'"')
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
