using QuantumEdge.Planning.Instances;

namespace QuantumEdge.Planning.Tests.Instances;

public class GsetParserTests
{
    [Fact]
    public void Parses_crlf_extra_spaces_tabs_and_blank_lines()
    {
        var text = "  3   2 \r\n\r\n1  2\t1\r\n   2 3 -1   \r\n\r\n";
        var graph = GsetParser.Parse(text);
        Assert.Equal(3, graph.NodeCount);
        Assert.Equal([new WeightedEdge(0, 1, 1), new WeightedEdge(1, 2, -1)], graph.Edges);
        Assert.Equal(0, graph.TotalWeight);
    }

    [Theory]
    [InlineData("3 2\n1 2 1\n2 x 1\n", "line 3")]
    [InlineData("3 2\n1 2 1\n\n2 4 1\n", "line 4")]
    [InlineData("3 2\n1 2 1\n2 2 1\n", "line 3")]
    [InlineData("3 2\n1 2\n", "line 2")]
    [InlineData("3 1\n1 2 1\n1 3 1\n", "line 3")]
    [InlineData("abc 2\n", "line 1")]
    public void Bad_input_names_the_line(string text, string where)
    {
        var error = Assert.Throws<FormatException>(() => GsetParser.Parse(text));
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_lines_are_reported()
    {
        var error = Assert.Throws<FormatException>(() => GsetParser.Parse("3 3\n1 2 1\n"));
        Assert.Contains("end of input", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_input_is_reported()
    {
        Assert.Throws<FormatException>(() => GsetParser.Parse("\n\n"));
    }

    [Fact]
    public void Reads_G1()
    {
        var graph = GsetParser.ParseFile(Path.Combine(GsetData.Directory(), "G1.txt"));
        Assert.Equal(800, graph.NodeCount);
        Assert.Equal(19176, graph.Edges.Count);
    }
}
