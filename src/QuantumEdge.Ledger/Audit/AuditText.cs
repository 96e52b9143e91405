using System.Globalization;
using System.Text;

namespace QuantumEdge.Ledger.Audit;

/// <summary>
/// Caller-supplied text in audit records (an administrator's reason, an actor's name) and audit
/// fields printed for a person. A line break, an escape sequence or a bidirectional override could
/// otherwise forge a line of a report or rewrite a terminal, and a <c>;</c> or <c>=</c> in a reason
/// could add a key to a record's <c>key=value;…</c> detail. The characters <see cref="UnsafeCharacters"/>
/// names are written as <c>%XX</c> (<c>%uXXXX</c> above U+00FF, one per UTF-16 unit, so a character
/// outside the Basic Multilingual Plane is two: U+E0041 is <c>%uDB40%uDC41</c>), and <c>%</c> itself
/// as <c>%25</c>, so nothing is lost.
/// </summary>
public static class AuditText
{
    /// <summary>A value placed inside a record's detail: unsafe characters, <c>;</c>, <c>=</c> and <c>%</c> escaped.</summary>
    public static string DetailValue(string value) => Escape(value, detailSeparators: true);

    /// <summary>A stored field printed for a person: unsafe characters escaped.</summary>
    public static string Display(string? value) => value is null ? "" : Escape(value, detailSeparators: false);

    private static string Escape(string value, bool detailSeparators)
    {
        var first = FirstEscaped(value, detailSeparators);
        if (first < 0)
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8).Append(value, 0, first);
        for (var i = first; i < value.Length;)
        {
            var (length, escape) = CharacterAt(value, i, detailSeparators);
            if (!escape)
            {
                escaped.Append(value, i, length);
            }
            else
            {
                foreach (var unit in value.AsSpan(i, length))
                {
                    if (unit <= '\u00FF')
                    {
                        escaped.Append('%').Append(((int)unit).ToString("X2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        escaped.Append("%u").Append(((int)unit).ToString("X4", CultureInfo.InvariantCulture));
                    }
                }
            }

            i += length;
        }

        return escaped.ToString();
    }

    private static int FirstEscaped(string value, bool detailSeparators)
    {
        for (var i = 0; i < value.Length;)
        {
            var (length, escape) = CharacterAt(value, i, detailSeparators);
            if (escape)
            {
                return i;
            }

            i += length;
        }

        return -1;
    }

    /// <summary>The character at <paramref name="index"/>: its length in UTF-16 units (2 for a pair) and whether it is escaped.</summary>
    private static (int Length, bool Escape) CharacterAt(string value, int index, bool detailSeparators)
    {
        var c = value[index];
        if (c is >= ' ' and < '\u007F')
        {
            return (1, detailSeparators && c is ';' or '=' or '%');
        }

        var (found, length, _) = UnsafeCharacters.Find(value.AsSpan(index, Math.Min(2, value.Length - index)));
        return found == 0 ? (length, true) : (char.IsSurrogatePair(value, index) ? 2 : 1, false);
    }
}
