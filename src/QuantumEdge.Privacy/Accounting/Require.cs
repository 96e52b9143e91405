using System.Globalization;

namespace QuantumEdge.Privacy.Accounting;

/// <summary>Argument checks whose messages name the parameter and the offending value.</summary>
internal static class Require
{
    public static void Positive(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw Fail(name, value, "must be a finite number > 0");
        }
    }

    public static void NonNegative(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw Fail(name, value, "must be a finite number >= 0");
        }
    }

    public static void Probability(double value, string name)
    {
        if (double.IsNaN(value) || value < 0 || value > 1)
        {
            throw Fail(name, value, "must be in [0, 1]");
        }
    }

    public static void Delta(double value, string name)
    {
        if (double.IsNaN(value) || value <= 0 || value >= 1)
        {
            throw Fail(name, value, "must be in the open interval (0, 1)");
        }
    }

    public static void Order(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 1)
        {
            throw Fail(name, value, "must be a finite Rényi order > 1");
        }
    }

    public static void Steps(long value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be >= 0 (was {value}).");
        }
    }

    public static double[] Orders(IReadOnlyList<double>? orders, string name)
    {
        if (orders is null)
        {
            return [.. RdpOrders.Default];
        }

        if (orders.Count == 0)
        {
            throw new ArgumentException($"{name} must contain at least one order.", name);
        }

        var copy = new double[orders.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            if (!double.IsFinite(orders[i]) || orders[i] <= 1)
            {
                throw Fail(name, orders[i], $"must contain only finite orders > 1; element {i}");
            }

            copy[i] = orders[i];
        }

        return copy;
    }

    private static ArgumentOutOfRangeException Fail(string name, double value, string rule) =>
        new(name, value, $"{name} {rule} (was {value.ToString("R", CultureInfo.InvariantCulture)}).");
}
