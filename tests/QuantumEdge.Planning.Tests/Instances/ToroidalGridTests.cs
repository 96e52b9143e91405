using QuantumEdge.Planning.Instances;

namespace QuantumEdge.Planning.Tests.Instances;

public class ToroidalGridTests
{
    [Fact]
    public void A_grid_is_a_torus_of_degree_four_with_plus_or_minus_one_weights()
    {
        var grid = ToroidalGrid.Generate(5, 7, 42);

        Assert.Equal(35, grid.NodeCount);
        Assert.Equal(70, grid.Edges.Count);
        Assert.All(grid.Edges, e => Assert.True(e.Weight is 1 or -1));
        var degree = new int[grid.NodeCount];
        var pairs = new HashSet<(int, int)>();
        foreach (var e in grid.Edges)
        {
            degree[e.I]++;
            degree[e.J]++;
            Assert.True(pairs.Add((Math.Min(e.I, e.J), Math.Max(e.I, e.J))), $"edge {e.I}-{e.J} twice");
            var (ri, ci, rj, cj) = (e.I / 7, e.I % 7, e.J / 7, e.J % 7);
            var right = ri == rj && cj == (ci + 1) % 7;
            var down = ci == cj && rj == (ri + 1) % 5;
            Assert.True(right || down, $"edge {e.I}-{e.J} joins no grid neighbours");
        }

        Assert.All(degree, d => Assert.Equal(4, d));
        Assert.InRange(grid.Edges.Count(e => e.Weight > 0), 20, 50);
    }

    [Fact]
    public void A_seed_names_one_instance_and_the_gset_text_reads_back_unchanged()
    {
        var grid = ToroidalGrid.Generate(20, 40, 1);

        Assert.Equal(grid.Edges, ToroidalGrid.Generate(20, 40, 1).Edges);
        Assert.NotEqual(grid.Edges, ToroidalGrid.Generate(20, 40, 2).Edges);
        var text = ToroidalGrid.ToGset(grid);
        Assert.StartsWith("800 1600\n", text, StringComparison.Ordinal);
        Assert.Equal(grid.Edges, GsetParser.Parse(text).Edges);
    }

    [Theory]
    [InlineData("T800-1", 20, 40, 1UL)]
    [InlineData("T800-2", 20, 40, 2UL)]
    [InlineData("T800-3", 20, 40, 3UL)]
    [InlineData("T2000-1", 40, 50, 1UL)]
    [InlineData("T2000-2", 40, 50, 2UL)]
    [InlineData("T2000-3", 40, 50, 3UL)]
    public void The_saved_instances_are_exactly_what_the_generator_makes(string name, int rows, int columns, ulong seed)
    {
        var saved = File.ReadAllText(Path.Combine(GsetData.Directory("toroidal"), name + ".txt"));

        Assert.Equal(ToroidalGrid.ToGset(ToroidalGrid.Generate(rows, columns, seed)), saved);
    }

    [Theory]
    [InlineData(2, 10)]
    [InlineData(10, 2)]
    public void Grids_too_small_to_wrap_without_repeating_an_edge_are_refused(int rows, int columns)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ToroidalGrid.Generate(rows, columns, 1));
    }
}
