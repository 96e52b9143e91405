namespace QuantumEdge.Privacy.Accounting;

/// <summary>
/// Elementary functions that stay accurate near the points where the naive forms cancel.
/// .NET's double.LogP1/ExpM1 are computed as Log(1 + x) and Exp(x) − 1, which lose every
/// digit for tiny x; the accountant works with values of that size all the time.
/// </summary>
internal static class LogSpace
{
    /// <summary>log(1 + x), accurate for tiny x (Goldberg's correction).</summary>
    public static double Log1p(double x)
    {
        var u = 1.0 + x;
        if (u == 1.0)
        {
            return x;
        }

        if (double.IsPositiveInfinity(u))
        {
            return Math.Log(x);
        }

        return Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>exp(x) − 1, accurate for tiny x (Kahan's correction).</summary>
    public static double Expm1(double x)
    {
        if (Math.Abs(x) >= 0.5)
        {
            return Math.Exp(x) - 1.0;
        }

        var u = Math.Exp(x);
        if (u == 1.0)
        {
            return x;
        }

        var um1 = u - 1.0;
        if (um1 == -1.0)
        {
            return -1.0;
        }

        return um1 * x / Math.Log(u);
    }

    /// <summary>log(exp(x) − 1) for x &gt; 0.</summary>
    public static double LogExpm1(double x) =>
        x > 1.0 ? x + Log1p(-Math.Exp(-x)) : Math.Log(Expm1(x));

    /// <summary>log(1 + exp(y)) without overflow.</summary>
    public static double Log1pExp(double y) =>
        y > 0 ? y + Log1p(Math.Exp(-y)) : Log1p(Math.Exp(y));

    /// <summary>log(exp(a) + exp(b)).</summary>
    public static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
        {
            return b;
        }

        if (double.IsNegativeInfinity(b))
        {
            return a;
        }

        var (hi, lo) = a >= b ? (a, b) : (b, a);
        return hi + Log1p(Math.Exp(lo - hi));
    }
}
