namespace QuantumEdge.Planning.Instances;

/// <summary>
/// Parses the QUBO format: a header `n m`, then m lines `i j q` (1-based; `i == j` is the linear
/// term of x_i, `i != j` adds q·x_i·x_j, summed when a pair repeats). Lenient about whitespace.
/// </summary>
public static class QuboParser
{
    private const string Format = "QUBO";

    /// <exception cref="FormatException">The text is malformed; the message names the line.</exception>
    public static QuboInstance Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var text = new InstanceText(reader, Format);
        var (size, lines) = text.ReadHeader();
        var terms = new List<WeightedEdge>(lines);
        for (var k = 0; k < lines; k++)
        {
            var (i, j, q) = text.ReadTriple(size, "q");
            terms.Add(new WeightedEdge(i, j, q));
        }

        text.ExpectEnd(lines);
        return new QuboInstance(size, terms);
    }

    public static QuboInstance Parse(string content) => Parse(new StringReader(content));

    public static QuboInstance ParseFile(string path)
    {
        using var reader = File.OpenText(path);
        return Parse(reader);
    }
}
