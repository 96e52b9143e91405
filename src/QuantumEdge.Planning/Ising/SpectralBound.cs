namespace QuantumEdge.Planning.Ising;

/// <summary>
/// The largest eigenvalue of −J by shifted power iteration, which fixes the SB time step:
/// symplectic Euler is stable only for Δt &lt; 2/√(a0·(a0 + c0·λ_max(−J))).
/// </summary>
internal static class SpectralBound
{
    /// <summary>
    /// Power iteration on (−J + σI), σ = the largest absolute row sum (Gershgorin), so that every
    /// eigenvalue of the shifted matrix is non-negative and the dominant one is λ_max(−J) + σ.
    /// </summary>
    public static double LargestEigenvalueOfNegatedCouplings(IsingModel model, int iterations = 60, int seed = 12345)
    {
        ArgumentNullException.ThrowIfNull(model);
        var n = model.Size;
        var rowStart = model.RowStart;
        var columns = model.Columns;
        var couplings = model.Couplings;
        var shift = 0.0;
        for (var i = 0; i < n; i++)
        {
            var sum = 0.0;
            for (var k = rowStart[i]; k < rowStart[i + 1]; k++)
            {
                sum += Math.Abs(couplings[k]);
            }

            shift = Math.Max(shift, sum);
        }

        if (shift == 0)
        {
            return 0;
        }

        var rng = new Random(seed);
        var v = new double[n];
        var w = new double[n];
        for (var i = 0; i < n; i++)
        {
            v[i] = rng.NextDouble() + 0.1;
        }

        Normalise(v);
        var lambda = 0.0;
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            for (var i = 0; i < n; i++)
            {
                var sum = shift * v[i];
                for (var k = rowStart[i]; k < rowStart[i + 1]; k++)
                {
                    sum -= couplings[k] * v[columns[k]];
                }

                w[i] = sum;
            }

            lambda = Dot(v, w);
            (v, w) = (w, v);
            if (Normalise(v) == 0)
            {
                break;
            }
        }

        return lambda - shift;
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static double Normalise(double[] v)
    {
        var norm = Math.Sqrt(Dot(v, v));
        if (norm > 0)
        {
            for (var i = 0; i < v.Length; i++)
            {
                v[i] /= norm;
            }
        }

        return norm;
    }
}
