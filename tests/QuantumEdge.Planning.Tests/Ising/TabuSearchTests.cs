using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Tests.Ising;

public class TabuSearchTests
{
    [Fact]
    public void Finds_the_optimum_of_tiny_instances_from_random_states_and_never_worsens_one()
    {
        var rng = new Random(31);
        var hits = 0;
        const int Trials = 100;
        for (var trial = 0; trial < Trials; trial++)
        {
            var model = RandomInstances.MaxCut(rng, rng.Next(3, 13)).ToIsing();
            var spins = new sbyte[model.Size];
            for (var i = 0; i < spins.Length; i++)
            {
                spins[i] = rng.Next(2) == 0 ? (sbyte)-1 : (sbyte)1;
            }

            var before = model.Energy(spins);
            var change = TabuSearch.Improve(model, spins, 500, (ulong)trial);

            Assert.Equal(model.Energy(spins), before + change, 9);
            Assert.True(change <= 0);
            hits += Math.Abs(model.Energy(spins) - BruteForce.MinimumEnergy(model)) < 1e-9 ? 1 : 0;
        }

        Assert.True(hits >= Trials * 95 / 100, $"{hits}/{Trials} optimal");
    }

    [Fact]
    public void Leaves_a_local_minimum_that_descent_cannot()
    {
        // A toroidal ±1 grid after descent sits in a local minimum; tabu keeps walking and finds better.
        var grid = ToroidalGrid.Generate(10, 10, 7);
        var model = grid.ToIsing();
        var spins = Enumerable.Repeat((sbyte)1, model.Size).ToArray();
        LocalSearch.Descend(model, spins);
        var descended = model.Energy(spins);

        TabuSearch.Improve(model, spins, 20_000, 3);

        Assert.True(model.Energy(spins) < descended, $"tabu stayed at {descended}");
    }

    [Fact]
    public void Same_seed_same_result()
    {
        var model = ToroidalGrid.Generate(8, 8, 2).ToIsing();
        var first = new sbyte[model.Size];
        Array.Fill(first, (sbyte)1);
        var second = (sbyte[])first.Clone();

        TabuSearch.Improve(model, first, 5_000, 11);
        TabuSearch.Improve(model, second, 5_000, 11);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Models_with_fractional_coefficients_take_the_scanning_path_and_still_improve()
    {
        // Weights of 0.3 are no whole multiple of 1/8: no gain buckets, every move scans.
        var edges = ToroidalGrid.Generate(10, 10, 4).Edges.Select(e => new WeightedEdge(e.I, e.J, e.Weight * 0.3)).ToList();
        var model = new MaxCutInstance(100, edges).ToIsing();
        var spins = Enumerable.Repeat((sbyte)1, model.Size).ToArray();
        Assert.Null(FlipGainBuckets.TryCreate(model, spins));
        LocalSearch.Descend(model, spins);
        var descended = model.Energy(spins);

        var change = TabuSearch.Improve(model, spins, 20_000, 3);

        Assert.True(change < 0, $"tabu stayed at {descended}");
        Assert.Equal(descended + change, model.Energy(spins), 9);
    }

    [Fact]
    public void Gain_buckets_hold_every_spin_at_its_flip_energy_change_through_many_flips()
    {
        var model = RandomInstances.MaxCut(new Random(4), 40).ToIsing();
        var rng = new Random(6);
        var spins = new sbyte[model.Size];
        for (var i = 0; i < spins.Length; i++)
        {
            spins[i] = rng.Next(2) == 0 ? (sbyte)-1 : (sbyte)1;
        }

        var buckets = FlipGainBuckets.TryCreate(model, spins)!;
        Assert.NotNull(buckets);
        for (var flip = 0; flip < 500; flip++)
        {
            var before = model.Energy(spins);
            var spin = rng.Next(spins.Length);
            var predicted = buckets.DeltaOf(spin);
            buckets.Flip(spin, spins);
            Assert.Equal(before + predicted, model.Energy(spins), 9);

            var lowest = buckets.LowestBucket();
            var seen = 0;
            for (var b = 0; b < buckets.BucketCount; b++)
            {
                foreach (var member in buckets.Bucket(b))
                {
                    Assert.Equal(buckets.Delta(b), buckets.DeltaOf(member), 9);
                    Assert.True(b >= lowest);
                    seen++;
                }
            }

            Assert.Equal(spins.Length, seen);
            Assert.False(buckets.Bucket(lowest).IsEmpty);
        }
    }
}
