using QuantumEdge.Planning.Instances;

namespace QuantumEdge.Planning.Ising;

/// <summary>
/// A sparse Ising model, energy minimised:
/// E(s) = Offset − Σ_{i&lt;j} J_ij·s_i·s_j − Σ_i h_i·s_i, s ∈ {−1,+1}^n.
/// J is stored symmetric in CSR form (both directions, no diagonal). The original problem's
/// objective is E (minimise) or −E (maximise), per <see cref="Sense"/>.
/// </summary>
public sealed class IsingModel
{
    private readonly int[] _rowStart;
    private readonly int[] _columns;
    private readonly double[] _couplings;
    private readonly double[] _field;

    private IsingModel(int size, int[] rowStart, int[] columns, double[] couplings, double[] field, double offset, ObjectiveSense sense)
    {
        Size = size;
        _rowStart = rowStart;
        _columns = columns;
        _couplings = couplings;
        _field = field;
        Offset = offset;
        Sense = sense;
    }

    public int Size { get; }

    public double Offset { get; }

    public ObjectiveSense Sense { get; }

    /// <summary>CSR row starts (length Size + 1).</summary>
    public ReadOnlySpan<int> RowStart => _rowStart;

    /// <summary>CSR column indices; each undirected coupling appears twice.</summary>
    public ReadOnlySpan<int> Columns => _columns;

    /// <summary>CSR values J_ij, aligned with <see cref="Columns"/>.</summary>
    public ReadOnlySpan<double> Couplings => _couplings;

    public ReadOnlySpan<double> Field => _field;

    public bool HasField => Array.Exists(_field, h => h != 0);

    /// <summary>Number of stored (directed) coupling entries.</summary>
    public int StoredCouplings => _columns.Length;

    /// <summary>
    /// Builds a model from undirected couplings (i ≠ j); repeated pairs are summed and pairs that
    /// sum to zero are dropped.
    /// </summary>
    public static IsingModel Create(int size, IEnumerable<WeightedEdge> couplings, ReadOnlySpan<double> field, double offset, ObjectiveSense sense)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentNullException.ThrowIfNull(couplings);
        if (field.Length != 0 && field.Length != size)
        {
            throw new ArgumentException($"field has {field.Length} entries, expected {size}", nameof(field));
        }

        var merged = new Dictionary<(int, int), double>();
        foreach (var c in couplings)
        {
            if ((uint)c.I >= (uint)size || (uint)c.J >= (uint)size || c.I == c.J)
            {
                throw new ArgumentException($"coupling ({c.I},{c.J}) is not a pair of distinct spins in 0..{size - 1}", nameof(couplings));
            }

            var key = (Math.Min(c.I, c.J), Math.Max(c.I, c.J));
            merged[key] = merged.GetValueOrDefault(key) + c.Weight;
        }

        var degree = new int[size + 1];
        foreach (var (key, value) in merged)
        {
            if (value != 0)
            {
                degree[key.Item1 + 1]++;
                degree[key.Item2 + 1]++;
            }
        }

        for (var i = 0; i < size; i++)
        {
            degree[i + 1] += degree[i];
        }

        var rowStart = degree;
        var fill = rowStart[..^1].ToArray();
        var columns = new int[rowStart[size]];
        var values = new double[rowStart[size]];
        foreach (var ((i, j), value) in merged.OrderBy(p => p.Key.Item1).ThenBy(p => p.Key.Item2))
        {
            if (value == 0)
            {
                continue;
            }

            columns[fill[i]] = j;
            values[fill[i]++] = value;
            columns[fill[j]] = i;
            values[fill[j]++] = value;
        }

        var h = field.Length == 0 ? new double[size] : field.ToArray();
        return new IsingModel(size, rowStart, columns, values, h, offset, sense);
    }

    /// <summary>Exact energy of a ±1 state.</summary>
    public double Energy(ReadOnlySpan<sbyte> spins)
    {
        if (spins.Length != Size)
        {
            throw new ArgumentException($"expected {Size} spins, got {spins.Length}", nameof(spins));
        }

        var pair = 0.0;
        var linear = 0.0;
        for (var i = 0; i < Size; i++)
        {
            var row = 0.0;
            for (var k = _rowStart[i]; k < _rowStart[i + 1]; k++)
            {
                row += _couplings[k] * spins[_columns[k]];
            }

            pair += spins[i] * row;
            linear += _field[i] * spins[i];
        }

        // Each pair was counted twice in the CSR sweep.
        return Offset - (0.5 * pair) - linear;
    }

    /// <summary>The original problem's objective (cut, QUBO value…) for a ±1 state.</summary>
    public double Objective(ReadOnlySpan<sbyte> spins) => ObjectiveFromEnergy(Energy(spins));

    public double ObjectiveFromEnergy(double energy) => Sense == ObjectiveSense.Maximise ? -energy : energy;

    public double EnergyFromObjective(double objective) => Sense == ObjectiveSense.Maximise ? -objective : objective;

    /// <summary>
    /// Standard deviation of J over all n(n−1) off-diagonal entries (zeros included), the σ_J of
    /// Goto's c0 = 0.5 / (√n·σ_J).
    /// </summary>
    public double CouplingSigma()
    {
        if (Size < 2)
        {
            return 0;
        }

        var sumSquares = 0.0;
        foreach (var j in _couplings)
        {
            sumSquares += j * j;
        }

        return Math.Sqrt(sumSquares / ((double)Size * (Size - 1)));
    }

    /// <summary>The local field f_i = Σ_j J_ij s_j + h_i of every spin.</summary>
    public void LocalFields(ReadOnlySpan<sbyte> spins, Span<double> fields)
    {
        for (var i = 0; i < Size; i++)
        {
            var f = _field[i];
            for (var k = _rowStart[i]; k < _rowStart[i + 1]; k++)
            {
                f += _couplings[k] * spins[_columns[k]];
            }

            fields[i] = f;
        }
    }
}
