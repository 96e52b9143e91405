namespace QuantumEdge.Privacy.Accounting;

/// <summary>The Rényi orders at which curves are evaluated unless the caller picks others.</summary>
public static class RdpOrders
{
    private static readonly double[] DefaultOrders = BuildDefault();

    /// <summary>Opacus's default orders: 1.1, 1.2, …, 10.9, then 12, 13, …, 63.</summary>
    public static IReadOnlyList<double> Default { get; } = Array.AsReadOnly(DefaultOrders);

    private static double[] BuildDefault()
    {
        var orders = new List<double>(151);
        // Computed as 1 + k/10 (not by repeated addition) so the values equal Python's 1 + x / 10.0.
        for (var k = 1; k < 100; k++)
        {
            orders.Add(1 + (k / 10.0));
        }

        for (var a = 12; a < 64; a++)
        {
            orders.Add(a);
        }

        return [.. orders];
    }
}
