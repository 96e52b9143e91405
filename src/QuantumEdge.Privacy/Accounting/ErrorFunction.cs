namespace QuantumEdge.Privacy.Accounting;

/// <summary>log erfc(x) over the whole real line, to near machine precision, without underflow.</summary>
internal static class ErrorFunction
{
    private static readonly double TwoOverSqrtPi = 2.0 / Math.Sqrt(Math.PI);
    private static readonly double Ln2 = Math.Log(2.0);

    public static double LogErfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x < 0)
        {
            // erfc(x) = 2 − erfc(−x) lies in (1, 2]: no cancellation.
            return Ln2 + LogSpace.Log1p(-0.5 * Math.Exp(LogErfc(-x)));
        }

        if (x < 1.0)
        {
            // erfc ≥ 0.157 here, so 1 − erf loses at most a digit.
            return Math.Log(1.0 - ErfSeries(x));
        }

        return LogErfcContinuedFraction(x);
    }

    /// <summary>Maclaurin series of erf; converges fast for |x| &lt; 1.</summary>
    private static double ErfSeries(double x)
    {
        var x2 = x * x;
        var power = x;          // (−1)^n x^(2n+1) / n!
        var sum = x;
        for (var n = 1; n < 60; n++)
        {
            power *= -x2 / n;
            var term = power / ((2 * n) + 1);
            sum += term;
            if (Math.Abs(term) < 1e-17 * Math.Abs(sum))
            {
                break;
            }
        }

        return TwoOverSqrtPi * sum;
    }

    /// <summary>
    /// Laplace's continued fraction in its even (J-fraction) form, evaluated bottom-up:
    /// erfc(x) = 2x/√π · e^(−x²) / (2x²+1 − 1·2/(2x²+5 − 3·4/(2x²+9 − …))).
    /// 120 levels give full double precision from x = 1 on; 40 from x = 2 on.
    /// </summary>
    private static double LogErfcContinuedFraction(double x)
    {
        var depth = x >= 2.0 ? 40 : 120;
        var t = 2.0 * x * x;
        var v = t + 1.0 + (4.0 * depth);
        for (var k = depth; k >= 1; k--)
        {
            v = t + 1.0 + (4.0 * (k - 1)) - ((2.0 * k) - 1.0) * (2.0 * k) / v;
        }

        return Math.Log(TwoOverSqrtPi * x) - (x * x) - Math.Log(v);
    }
}
