using System.Globalization;

namespace QuantumEdge.Planning.Instances;

/// <summary>
/// Reads the whitespace-separated numeric lines shared by the Gset and QUBO formats, skipping
/// blank lines and tolerating CRLF, tabs and repeated spaces, and reporting 1-based line numbers.
/// </summary>
internal sealed class InstanceText
{
    private static readonly char[] Separators = [' ', '\t', '\r', ','];
    private readonly TextReader _reader;
    private readonly string _format;

    public InstanceText(TextReader reader, string format)
    {
        _reader = reader;
        _format = format;
    }

    public int LineNumber { get; private set; }

    /// <summary>Returns the fields of the next non-blank, non-comment line, or null at the end.</summary>
    public string[]? NextFields()
    {
        while (_reader.ReadLine() is { } line)
        {
            LineNumber++;
            var trimmed = line.Trim();
            // '#' and '%' comments appear in hand-edited copies of these files.
            if (trimmed.Length == 0 || trimmed[0] == '#' || trimmed[0] == '%')
            {
                continue;
            }

            return trimmed.Split(Separators, StringSplitOptions.RemoveEmptyEntries);
        }

        return null;
    }

    public FormatException Error(string message) =>
        new($"{_format} line {LineNumber}: {message}");

    public int ParseInt(string field, string what)
    {
        if (!int.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw Error($"{what} '{field}' is not an integer");
        }

        return value;
    }

    public double ParseNumber(string field, string what)
    {
        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Error($"{what} '{field}' is not a finite number");
        }

        return value;
    }

    /// <summary>Reads the `n m` header line.</summary>
    public (int Size, int Lines) ReadHeader()
    {
        var fields = NextFields() ?? throw new FormatException($"{_format}: the input is empty; expected a header line 'n m'");
        if (fields.Length < 2)
        {
            throw Error("expected a header 'n m' (node count, line count)");
        }

        var size = ParseInt(fields[0], "node count n");
        var lines = ParseInt(fields[1], "line count m");
        if (size <= 0)
        {
            throw Error($"node count n must be positive, got {size}");
        }

        if (lines < 0)
        {
            throw Error($"line count m must not be negative, got {lines}");
        }

        return (size, lines);
    }

    /// <summary>Reads one `i j value` line with 1-based indices and returns 0-based indices.</summary>
    public (int I, int J, double Value) ReadTriple(int size, string valueName)
    {
        var fields = NextFields();
        if (fields is null)
        {
            throw new FormatException($"{_format}: unexpected end of input after line {LineNumber}; the header promised more lines");
        }

        if (fields.Length != 3)
        {
            throw Error($"expected 'i j {valueName}', got {fields.Length} field(s)");
        }

        var i = ParseInt(fields[0], "index i");
        var j = ParseInt(fields[1], "index j");
        if (i < 1 || i > size)
        {
            throw Error($"index i = {i} is outside 1..{size}");
        }

        if (j < 1 || j > size)
        {
            throw Error($"index j = {j} is outside 1..{size}");
        }

        return (i - 1, j - 1, ParseNumber(fields[2], valueName));
    }

    /// <summary>Fails if anything but blank lines follows the promised lines.</summary>
    public void ExpectEnd(int promised)
    {
        if (NextFields() is not null)
        {
            throw Error($"more lines than the {promised} promised by the header");
        }
    }
}
