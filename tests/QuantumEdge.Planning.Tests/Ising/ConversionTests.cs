using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Tests.Ising;

public class ConversionTests
{
    [Fact]
    public void MaxCut_cut_equals_the_objective_of_its_Ising_model()
    {
        var rng = new Random(7);
        for (var trial = 0; trial < 50; trial++)
        {
            var graph = RandomInstances.MaxCut(rng, rng.Next(2, 12));
            var model = graph.ToIsing();
            Assert.Equal(ObjectiveSense.Maximise, model.Sense);
            for (var sample = 0; sample < 20; sample++)
            {
                var spins = RandomInstances.Spins(rng, graph.NodeCount);
                var cut = graph.CutValue(spins);
                Assert.Equal(cut, model.Objective(spins), 9);
                Assert.Equal(-cut, model.Energy(spins), 9);
                var sum = graph.Edges.Sum(e => e.Weight * spins[e.I] * spins[e.J]);
                Assert.Equal((graph.TotalWeight - sum) / 2, cut, 9);
            }
        }
    }

    [Fact]
    public void Qubo_energy_is_preserved_both_ways()
    {
        var rng = new Random(11);
        for (var trial = 0; trial < 50; trial++)
        {
            var qubo = RandomInstances.Qubo(rng, rng.Next(1, 10));
            var model = qubo.ToIsing();
            var back = model.ToQubo();
            for (var mask = 0; mask < 1 << qubo.Size; mask++)
            {
                var x = Enumerable.Range(0, qubo.Size).Select(i => (byte)(mask >> i & 1)).ToArray();
                var spins = IsingConversions.ToSpins(x);
                var energy = qubo.Energy(x);
                Assert.Equal(energy, model.Energy(spins), 9);
                Assert.Equal(energy, back.Energy(x), 9);
                Assert.Equal(energy, qubo.Energy(spins), 9);
            }
        }
    }

    [Fact]
    public void Ising_to_Qubo_to_Ising_keeps_the_energy()
    {
        var rng = new Random(3);
        for (var trial = 0; trial < 30; trial++)
        {
            var n = rng.Next(2, 9);
            var couplings = new List<WeightedEdge>();
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n; j++)
                {
                    if (rng.NextDouble() < 0.5)
                    {
                        couplings.Add(new WeightedEdge(i, j, Math.Round(rng.NextDouble() * 4 - 2, 2)));
                    }
                }
            }

            var field = Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble() * 2 - 1, 2)).ToArray();
            var model = IsingModel.Create(n, couplings, field, 1.25, ObjectiveSense.Minimise);
            var again = model.ToQubo().ToIsing();
            for (var sample = 0; sample < 20; sample++)
            {
                var spins = RandomInstances.Spins(rng, n);
                Assert.Equal(model.Energy(spins), again.Energy(spins), 9);
            }
        }
    }

    [Fact]
    public void Power_iteration_matches_the_known_spectrum_of_a_ring()
    {
        // −J of a ring with J = −1 is its adjacency matrix, whose largest eigenvalue is 2.
        var n = 10;
        var model = IsingModel.Create(n, Enumerable.Range(0, n).Select(i => new WeightedEdge(i, (i + 1) % n, -1)), [], 0, ObjectiveSense.Minimise);
        Assert.Equal(2.0, SpectralBound.LargestEigenvalueOfNegatedCouplings(model, 400), 2);
    }

    [Fact]
    public void Local_search_never_raises_the_energy_and_ends_in_a_local_minimum()
    {
        var rng = new Random(5);
        var graph = RandomInstances.MaxCut(rng, 12);
        var model = graph.ToIsing();
        var spins = RandomInstances.Spins(rng, 12);
        var before = model.Energy(spins);
        var delta = LocalSearch.Descend(model, spins);
        Assert.Equal(before + delta, model.Energy(spins), 9);
        for (var i = 0; i < spins.Length; i++)
        {
            spins[i] = (sbyte)-spins[i];
            Assert.True(model.Energy(spins) >= before + delta - 1e-9);
            spins[i] = (sbyte)-spins[i];
        }
    }
}
