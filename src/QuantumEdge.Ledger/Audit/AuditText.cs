using System.Globalization;
using System.Text;

namespace QuantumEdge.Ledger.Audit;

/// <summary>
/// Caller-supplied text in audit records (an administrator's reason, an actor's name) and audit
/// fields printed for a person. A line break, an escape sequence or a bidirectional override could
/// otherwise forge a line of a report or rewrite a terminal, and a <c>;</c> or <c>=</c> in a reason
/// could add a key to a record's <c>key=value;…</c> detail. Such characters are written as
/// <c>%XX</c> (<c>%uXXXX</c> above U+00FF), and <c>%</c> itself as <c>%25</c>, so nothing is lost.
/// </summary>
public static class AuditText
{
    /// <summary>A value placed inside a record's detail: controls, format characters, <c>;</c>, <c>=</c> and <c>%</c> escaped.</summary>
    public static string DetailValue(string value) => Escape(value, detailSeparators: true);

    /// <summary>A stored field printed for a person: controls and format characters escaped.</summary>
    public static string Display(string? value) => value is null ? "" : Escape(value, detailSeparators: false);

    private static string Escape(string value, bool detailSeparators)
    {
        if (!value.Any(c => NeedsEscape(c, detailSeparators)))
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (!NeedsEscape(c, detailSeparators))
            {
                escaped.Append(c);
            }
            else if (c <= '\u00FF')
            {
                escaped.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append("%u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }

        return escaped.ToString();
    }

    private static bool NeedsEscape(char c, bool detailSeparators) =>
        char.IsControl(c)
        || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        || (detailSeparators && c is ';' or '=' or '%');
}
