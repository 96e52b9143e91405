using QuantumEdge.Planning.Instances;

namespace QuantumEdge.Planning.Tests.Instances;

public class QuboParserTests
{
    [Fact]
    public void Diagonal_is_linear_and_pairs_sum_symmetrically()
    {
        var qubo = QuboParser.Parse("3 5\r\n1 1 -2\r\n 1 2 3 \r\n2 1 1\r\n\r\n3 3 1.5\r\n2 3 -4\r\n");
        Assert.Equal([-2.0, 0.0, 1.5], qubo.Linear);
        Assert.Equal([new WeightedEdge(0, 1, 4), new WeightedEdge(1, 2, -4)], qubo.Quadratic);
        Assert.Equal(-2 + 1.5, qubo.Energy([1, 0, 1]));
        Assert.Equal(-2 + 4, qubo.Energy([1, 1, 0]));
        Assert.Equal(-2 + 1.5 + 4 - 4, qubo.Energy([1, 1, 1]));
    }

    [Theory]
    [InlineData("2 1\n1 3 1\n", "line 2")]
    [InlineData("2 2\n1 1 1\n1 2 nan\n", "line 3")]
    [InlineData("2 1\n1 2 1 4\n", "line 2")]
    [InlineData("-2 1\n", "line 1")]
    public void Bad_input_names_the_line(string text, string where)
    {
        var error = Assert.Throws<FormatException>(() => QuboParser.Parse(text));
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
    }
}
