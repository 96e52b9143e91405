using System.Buffers;
using System.Globalization;
using System.Text;

namespace QuantumEdge.Ledger.Audit;

/// <summary>
/// The one definition of a character that must not reach a log line, an audit record or a report
/// as it is: a control character (a line break forges a line, an escape sequence rewrites a
/// terminal), a format character (a bidirectional override makes text read as other text; tag and
/// zero-width characters hide it), a line or paragraph separator, a code point this runtime's
/// Unicode tables do not assign (it may be any of those in a later version), or half of a
/// surrogate pair (not text at all). Judged by code point, so that characters outside the Basic
/// Multilingual Plane (the tag characters U+E0000–U+E007F among them) are judged as what they are
/// rather than as two surrogates. <see cref="AuditText"/> escapes these; configuration refuses them
/// in the node's id and name.
/// </summary>
public static class UnsafeCharacters
{
    /// <summary>
    /// The first unsafe character in <paramref name="text"/> at or after <paramref name="start"/>:
    /// its index, its length in UTF-16 units (2 for a pair) and its code point (a lone surrogate's
    /// own value); or index -1.
    /// </summary>
    public static (int Index, int Length, int CodePoint) Find(ReadOnlySpan<char> text, int start = 0)
    {
        for (var i = start; i < text.Length; i++)
        {
            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var length) != OperationStatus.Done)
            {
                return (i, 1, text[i]);
            }

            if (IsUnsafe(rune))
            {
                return (i, length, rune.Value);
            }

            i += length - 1;
        }

        return (-1, 0, 0);
    }

    /// <summary>Whether <paramref name="rune"/> is unsafe as described on the type.</summary>
    public static bool IsUnsafe(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned;
}
