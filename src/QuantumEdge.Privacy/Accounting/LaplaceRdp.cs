namespace QuantumEdge.Privacy.Accounting;

/// <summary>RDP of the Laplace mechanism, Mironov 2017 Prop. 6.</summary>
internal static class LaplaceRdp
{
    /// <summary>
    /// With a = α − 1 the proposition's 1/a · log((a+1)/(2a+1)·e^{aε} + a/(2a+1)·e^{−(a+1)ε})
    /// rearranges exactly to ε + log1p(a·expm1(−(2a+1)ε)/(2a+1)) / a. The log1p argument stays in
    /// (−½, 0], so nothing overflows for large α and nothing cancels as α → 1.
    /// </summary>
    public static double Compute(double epsilon, double order)
    {
        if (epsilon == 0)
        {
            return 0;
        }

        if (double.IsPositiveInfinity(order))
        {
            return epsilon;
        }

        var a = order - 1;
        if (a == 0)
        {
            // KL divergence, the α → 1 limit.
            return epsilon + LogSpace.Expm1(-epsilon);
        }

        var inner = a * LogSpace.Expm1(-((2 * a) + 1) * epsilon) / ((2 * a) + 1);
        return Math.Max(0, epsilon + (LogSpace.Log1p(inner) / a));
    }
}
