using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Tests.Ising;

public class ClusterRecombinationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gives_the_best_mixture_of_the_two_states_over_their_disagreement_clusters(bool withFields)
    {
        // Two states disagree in several clusters (on a sparse grid, or on a QUBO, whose fields
        // count too); every one of the 2^clusters mixtures is tried, and the merge must equal the best.
        var rng = new Random(5);
        for (var trial = 0; trial < 40; trial++)
        {
            var model = withFields ? SparseQubo(rng, 16) : ToroidalGrid.Generate(4, 5, (ulong)trial + 1).ToIsing();
            var target = RandomState(rng, model.Size);
            var donor = (sbyte[])target.Clone();
            for (var i = 0; i < donor.Length; i++)
            {
                if (rng.NextDouble() < 0.3)
                {
                    donor[i] = (sbyte)-donor[i];
                }
            }

            var clusters = Clusters(model, target, donor);
            Assert.InRange(clusters.Count, 0, 16);
            var best = double.PositiveInfinity;
            for (var mask = 0; mask < 1 << clusters.Count; mask++)
            {
                var mixture = (sbyte[])target.Clone();
                for (var c = 0; c < clusters.Count; c++)
                {
                    if ((mask >> c & 1) == 1)
                    {
                        clusters[c].ForEach(i => mixture[i] = donor[i]);
                    }
                }

                best = Math.Min(best, model.Energy(mixture));
            }

            var before = model.Energy(target);
            var change = new ClusterRecombination(model).Merge(target, donor);

            Assert.Equal(best, model.Energy(target), 9);
            Assert.Equal(before + change, model.Energy(target), 9);
        }
    }

    [Fact]
    public void Takes_each_parents_better_domain_where_single_flips_cannot()
    {
        // A ferromagnetic chain; each state has one wrong domain of three spins (a local minimum:
        // moving a wall costs nothing, so descent stays), in different places. The merge takes the
        // right values of each and reaches the ground state.
        var edges = Enumerable.Range(0, 13).Select(i => new WeightedEdge(i, i + 1, 1.0));
        var model = IsingModel.Create(14, edges, [], 0, ObjectiveSense.Minimise);
        sbyte[] target = [1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, 1, 1, 1];
        sbyte[] donor = [1, -1, -1, -1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
        var descended = (sbyte[])target.Clone();
        Assert.Equal(0, LocalSearch.Descend(model, descended));

        var change = new ClusterRecombination(model).Merge(target, donor);

        Assert.Equal(-4, change, 9);
        Assert.Equal(Enumerable.Repeat((sbyte)1, 14), target);
    }

    [Fact]
    public void Keeps_working_across_many_calls_on_one_instance()
    {
        var model = ToroidalGrid.Generate(6, 6, 3).ToIsing();
        var recombination = new ClusterRecombination(model);
        var rng = new Random(8);
        for (var call = 0; call < 200; call++)
        {
            var target = RandomState(rng, model.Size);
            var donor = RandomState(rng, model.Size);
            var fresh = (sbyte[])target.Clone();
            var reused = recombination.Merge(target, donor);

            Assert.Equal(new ClusterRecombination(model).Merge(fresh, donor), reused, 9);
            Assert.Equal(fresh, target);
        }
    }

    [Fact]
    public void Rejects_states_of_the_wrong_size()
    {
        var model = ToroidalGrid.Generate(3, 3, 1).ToIsing();
        var error = Assert.Throws<ArgumentException>(() => new ClusterRecombination(model).Merge(new sbyte[9], new sbyte[8]));
        Assert.Contains("9 spins", error.Message, StringComparison.Ordinal);
    }

    private static IsingModel SparseQubo(Random rng, int n)
    {
        var terms = new List<WeightedEdge>();
        for (var i = 0; i < n; i++)
        {
            terms.Add(new WeightedEdge(i, i, rng.Next(-5, 6)));
            terms.Add(new WeightedEdge(i, (i + 1) % n, rng.Next(-5, 6)));
            terms.Add(new WeightedEdge(i, (i + 5) % n, rng.Next(-5, 6)));
        }

        var model = new QuboInstance(n, terms).ToIsing();
        Assert.True(model.HasField);
        return model;
    }

    private static sbyte[] RandomState(Random rng, int n)
    {
        var spins = new sbyte[n];
        for (var i = 0; i < n; i++)
        {
            spins[i] = rng.Next(2) == 0 ? (sbyte)-1 : (sbyte)1;
        }

        return spins;
    }

    /// <summary>Connected components of the spins where the two states differ.</summary>
    private static List<List<int>> Clusters(IsingModel model, sbyte[] a, sbyte[] b)
    {
        var seen = new bool[a.Length];
        var clusters = new List<List<int>>();
        for (var s = 0; s < a.Length; s++)
        {
            if (a[s] == b[s] || seen[s])
            {
                continue;
            }

            var cluster = new List<int> { s };
            seen[s] = true;
            for (var h = 0; h < cluster.Count; h++)
            {
                var i = cluster[h];
                for (var k = model.RowStart[i]; k < model.RowStart[i + 1]; k++)
                {
                    var j = model.Columns[k];
                    if (a[j] != b[j] && !seen[j])
                    {
                        seen[j] = true;
                        cluster.Add(j);
                    }
                }
            }

            clusters.Add(cluster);
        }

        return clusters;
    }
}
