using System.Text;

namespace QuantumEdge.Benchmarks.Measurement;

/// <summary>A plain-text table: first column left-aligned, the rest right-aligned.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public TextTable Add(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => i < r.Length ? r[i].Length : 0).Prepend(h.Length).Max()).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            for (var i = 0; i < widths.Length; i++)
            {
                var cell = i < cells.Count ? cells[i] : "";
                sb.Append(i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]));
                sb.Append(i == widths.Length - 1 ? "" : "  ");
            }

            sb.Append('\n');
        }

        Line(headers);
        sb.Append(new string('-', widths.Sum() + (2 * (widths.Length - 1)))).Append('\n');
        foreach (var row in _rows)
        {
            Line(row);
        }

        return sb.ToString();
    }
}
