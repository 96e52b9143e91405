namespace QuantumEdge.Planning.Solvers;

/// <summary>Share of agents whose energy is within 1% of the best agent's: how converged a solve is.</summary>
internal static class Coherence
{
    public const double Tolerance = 0.01;

    public static double Of(ReadOnlySpan<double> energies)
    {
        if (energies.IsEmpty)
        {
            return 0;
        }

        var best = double.PositiveInfinity;
        foreach (var e in energies)
        {
            best = Math.Min(best, e);
        }

        // 1% of |best|, with a floor so that a best energy of zero does not demand exact ties.
        var band = Tolerance * Math.Max(Math.Abs(best), 1e-9);
        var within = 0;
        foreach (var e in energies)
        {
            if (e <= best + band)
            {
                within++;
            }
        }

        return (double)within / energies.Length;
    }
}
