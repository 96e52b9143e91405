namespace QuantumEdge.Planning.Instances;

/// <summary>
/// Parses the Gset MaxCut format: a header `n m`, then m lines `i j w` (1-based, undirected).
/// Lenient about CRLF, tabs, repeated spaces and blank lines; strict about content.
/// </summary>
public static class GsetParser
{
    private const string Format = "Gset";

    /// <exception cref="FormatException">The text is malformed; the message names the line.</exception>
    public static MaxCutInstance Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var text = new InstanceText(reader, Format);
        var (size, lines) = text.ReadHeader();
        var edges = new List<WeightedEdge>(lines);
        for (var k = 0; k < lines; k++)
        {
            var (i, j, w) = text.ReadTriple(size, "w");
            if (i == j)
            {
                throw text.Error($"self-loop on node {i + 1}; a cut cannot contain it");
            }

            edges.Add(new WeightedEdge(i, j, w));
        }

        text.ExpectEnd(lines);
        return new MaxCutInstance(size, edges);
    }

    public static MaxCutInstance Parse(string content) => Parse(new StringReader(content));

    public static MaxCutInstance ParseFile(string path)
    {
        using var reader = File.OpenText(path);
        return Parse(reader);
    }
}
