namespace QuantumEdge.Privacy.Accounting;

/// <summary>
/// RDP of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar, Zhang 2019), i.e.
/// log A_α / (α − 1) with A_α = E_{z∼N(0,σ²)}[(1 − q + q·e^{(2z−1)/(2σ²)})^α].
/// </summary>
internal static class SubsampledGaussianRdp
{
    /// <summary>Stop a fractional series once a term is this far (in log) below the running sum: e^−45 ≈ 3e−20.</summary>
    private const double NegligibleLogRatio = 45.0;

    /// <summary>
    /// Hard cap on fractional-series terms. Far out the terms alternate and fall like i^−(α+2); at
    /// the cap the sum is averaged with the previous partial sum (half the last term taken back),
    /// which leaves an error of order term·α/i — below double precision of A for every (q, σ, α).
    /// </summary>
    private const int MaxTerms = 20_000;

    /// <summary>Below this log A at the next integer order the fractional series is left unused (see <see cref="Compute"/>).</summary>
    private const double SeriesTrustThreshold = 1e-9;

    public static double Compute(double q, double sigma, double order)
    {
        if (q == 0)
        {
            return 0;
        }

        if (q == 1)
        {
            return order / (2 * sigma * sigma);
        }

        if (double.IsInteger(order))
        {
            return IntegerOrder(q, sigma, order);
        }

        // Two facts about the exact curve bracket every fractional order between its integer
        // neighbours f and c = f + 1, whose values the exact integer sum gives:
        //  * RDP is non-decreasing in α, so RDP(α) ≥ RDP(f);
        //  * log A_α is convex in α (it is a log-moment), so it lies below the chord through
        //    (f, log A_f) and (c, log A_c) — a rigorous upper bound, at most a few percent loose.
        // The alternating series is clamped into that bracket. Where A_c − 1 is so small that
        // rounding in A (~1e−16) would dominate the series, the chord bound is used alone:
        // it is conservative, smooth and monotone, and the values involved are below 1e−9.
        var floor = Math.Floor(order);
        var logAFloor = floor >= 2 ? IntegerOrderLogA(q, sigma, floor) : 0.0;
        var logACeil = IntegerOrderLogA(q, sigma, floor + 1);
        var lower = floor >= 2 ? logAFloor / (floor - 1) : 0.0;
        var chord = ((((floor + 1) - order) * logAFloor) + ((order - floor) * logACeil)) / (order - 1);
        if (logACeil < SeriesTrustThreshold)
        {
            return chord;
        }

        var series = FractionalOrder(q, sigma, order);
        return double.IsNaN(series) ? chord : Math.Clamp(series, Math.Min(lower, chord), chord);
    }

    /// <summary>
    /// Exact binomial expansion. Written as A − 1 = Σ_{i≥2} C(α,i)(1−q)^{α−i} q^i (e^{(i²−i)/(2σ²)} − 1),
    /// a sum of positive terms (the i = 0, 1 terms and the −1 cancel exactly), so log A is accurate
    /// even when A − 1 is far below machine epsilon.
    /// </summary>
    private static double IntegerOrder(double q, double sigma, double order) =>
        Math.Max(0, IntegerOrderLogA(q, sigma, order) / (order - 1));

    private static double IntegerOrderLogA(double q, double sigma, double order)
    {
        var alpha = (long)order;
        var logQ = Math.Log(q);
        var log1mQ = LogSpace.Log1p(-q);
        var twoSigma2 = 2 * sigma * sigma;
        var logAm1 = double.NegativeInfinity;
        var logBinom = Math.Log(alpha);   // log C(α, 1)
        for (long i = 2; i <= alpha; i++)
        {
            logBinom += Math.Log(alpha - i + 1) - Math.Log(i);
            var term = logBinom + ((alpha - i) * log1mQ) + (i * logQ) + LogSpace.LogExpm1(((double)i * i - i) / twoSigma2);
            logAm1 = LogSpace.LogAdd(logAm1, term);
        }

        return LogSpace.Log1pExp(logAm1);
    }

    /// <summary>
    /// Two series for A_α split at z₀ where the mixture's components are equal (as in
    /// dp_accounting's _compute_log_a_frac), but summed until the terms are negligible
    /// relative to the running sum and only after the coefficients have started alternating,
    /// instead of stopping at an absolute threshold.
    /// </summary>
    private static double FractionalOrder(double q, double sigma, double alpha)
    {
        var logQ = Math.Log(q);
        var log1mQ = LogSpace.Log1p(-q);
        var twoSigma2 = 2 * sigma * sigma;
        var sqrt2Sigma = Math.Sqrt(2) * sigma;
        var z0 = (sigma * sigma * (log1mQ - logQ)) + 0.5;
        var logHalf = Math.Log(0.5);

        var sum = default(SignedLogSum);
        var logBinom = 0.0;          // log |C(α, i)|
        var negative = false;        // sign of C(α, i)
        var firstAlternating = (long)Math.Ceiling(alpha) + 1;
        var converged = false;
        double logS0 = double.NegativeInfinity, logS1 = double.NegativeInfinity;
        for (long i = 0; i < MaxTerms; i++)
        {
            if (i > 0)
            {
                var factor = alpha - i + 1;
                logBinom += Math.Log(Math.Abs(factor)) - Math.Log(i);
                if (factor < 0)
                {
                    negative = !negative;
                }
            }

            var j = alpha - i;
            var logT0 = logBinom + (i * logQ) + (j * log1mQ);
            var logT1 = logBinom + (j * logQ) + (i * log1mQ);
            var logE0 = logHalf + ErrorFunction.LogErfc((i - z0) / sqrt2Sigma);
            var logE1 = logHalf + ErrorFunction.LogErfc((z0 - j) / sqrt2Sigma);
            logS0 = logT0 + (((double)i * i) - i) / twoSigma2 + logE0;
            logS1 = logT1 + ((j * j) - j) / twoSigma2 + logE1;
            sum.Add(logS0, negative);
            sum.Add(logS1, negative);

            if (i >= firstAlternating)
            {
                var running = sum.Log;
                if (!double.IsNaN(running) && Math.Max(logS0, logS1) < Math.Max(running, 0) - NegligibleLogRatio)
                {
                    converged = true;
                    break;
                }
            }
        }

        if (!converged)
        {
            // Average the last two partial sums of the alternating tail.
            var halfLog = Math.Log(0.5);
            sum.Add(logS0 + halfLog, !negative);
            sum.Add(logS1 + halfLog, !negative);
        }

        var logA = sum.Log;
        return double.IsNaN(logA) ? double.NaN : Math.Max(0, logA / (alpha - 1));
    }
}
