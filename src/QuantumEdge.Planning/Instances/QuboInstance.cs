namespace QuantumEdge.Planning.Instances;

/// <summary>
/// A quadratic unconstrained binary optimisation problem, minimised:
/// f(x) = Offset + Σ_i Linear[i]·x_i + Σ_{i&lt;j} Q_ij·x_i·x_j over x ∈ {0,1}^n.
/// Pair terms given more than once (including as (j,i)) are summed.
/// </summary>
public sealed class QuboInstance
{
    private readonly double[] _linear;
    private readonly WeightedEdge[] _quadratic;

    public QuboInstance(int size, IEnumerable<WeightedEdge> terms, double offset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentNullException.ThrowIfNull(terms);
        _linear = new double[size];
        var pairs = new Dictionary<(int, int), double>();
        foreach (var t in terms)
        {
            if ((uint)t.I >= (uint)size || (uint)t.J >= (uint)size)
            {
                throw new ArgumentException($"term ({t.I},{t.J}) has an index outside 0..{size - 1}", nameof(terms));
            }

            if (t.I == t.J)
            {
                _linear[t.I] += t.Weight;
            }
            else
            {
                var key = (Math.Min(t.I, t.J), Math.Max(t.I, t.J));
                pairs[key] = pairs.GetValueOrDefault(key) + t.Weight;
            }
        }

        _quadratic = [.. pairs.Where(p => p.Value != 0).Select(p => new WeightedEdge(p.Key.Item1, p.Key.Item2, p.Value)).OrderBy(e => e.I).ThenBy(e => e.J)];
        Size = size;
        Offset = offset;
    }

    public int Size { get; }

    public double Offset { get; }

    public IReadOnlyList<double> Linear => _linear;

    /// <summary>Merged pair terms with I &lt; J.</summary>
    public IReadOnlyList<WeightedEdge> Quadratic => _quadratic;

    /// <summary>The exact objective of a 0/1 vector.</summary>
    public double Energy(ReadOnlySpan<byte> x)
    {
        if (x.Length != Size)
        {
            throw new ArgumentException($"expected {Size} variables, got {x.Length}", nameof(x));
        }

        var energy = Offset;
        for (var i = 0; i < Size; i++)
        {
            if (x[i] > 1)
            {
                throw new ArgumentException($"variable {i} is {x[i]}, not 0 or 1", nameof(x));
            }

            energy += _linear[i] * x[i];
        }

        foreach (var q in _quadratic)
        {
            if (x[q.I] != 0 && x[q.J] != 0)
            {
                energy += q.Weight;
            }
        }

        return energy;
    }

    /// <summary>The exact objective of a ±1 vector read as x = (1 + s) / 2.</summary>
    public double Energy(ReadOnlySpan<sbyte> spins)
    {
        var x = new byte[spins.Length];
        for (var i = 0; i < spins.Length; i++)
        {
            x[i] = spins[i] > 0 ? (byte)1 : (byte)0;
        }

        return Energy(x);
    }
}
