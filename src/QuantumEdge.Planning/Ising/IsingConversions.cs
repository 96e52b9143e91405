using QuantumEdge.Planning.Instances;

namespace QuantumEdge.Planning.Ising;

/// <summary>Exact conversions between the benchmark problems and the Ising model.</summary>
public static class IsingConversions
{
    /// <summary>
    /// cut(s) = Σ_edges w·(1 − s_i·s_j)/2 = W/2 − Σ_edges (w/2)·s_i·s_j, so J_ij = −w/2,
    /// Offset = −W/2 and the energy is −cut (sense: maximise).
    /// </summary>
    public static IsingModel ToIsing(this MaxCutInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var couplings = instance.Edges.Select(e => new WeightedEdge(e.I, e.J, -e.Weight / 2));
        return IsingModel.Create(instance.NodeCount, couplings, [], -instance.TotalWeight / 2, ObjectiveSense.Maximise);
    }

    /// <summary>
    /// Substitutes x = (1 + s)/2: each Q_ij·x_i·x_j becomes Q_ij/4·(1 + s_i + s_j + s_i·s_j), so
    /// J_ij = −Q_ij/4, h_i = −(a_i/2 + Σ_j Q_ij/4), Offset = c + Σ a_i/2 + Σ Q_ij/4.
    /// </summary>
    public static IsingModel ToIsing(this QuboInstance qubo)
    {
        ArgumentNullException.ThrowIfNull(qubo);
        var n = qubo.Size;
        var field = new double[n];
        var offset = qubo.Offset;
        for (var i = 0; i < n; i++)
        {
            field[i] = -qubo.Linear[i] / 2;
            offset += qubo.Linear[i] / 2;
        }

        foreach (var q in qubo.Quadratic)
        {
            field[q.I] -= q.Weight / 4;
            field[q.J] -= q.Weight / 4;
            offset += q.Weight / 4;
        }

        var couplings = qubo.Quadratic.Select(q => new WeightedEdge(q.I, q.J, -q.Weight / 4));
        return IsingModel.Create(n, couplings, field, offset, ObjectiveSense.Minimise);
    }

    /// <summary>
    /// Substitutes s = 2x − 1 so that the QUBO value equals the Ising energy of the same state.
    /// </summary>
    public static QuboInstance ToQubo(this IsingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var n = model.Size;
        var terms = new List<WeightedEdge>();
        var linear = new double[n];
        var offset = model.Offset;
        var rowStart = model.RowStart;
        var columns = model.Columns;
        var couplings = model.Couplings;
        for (var i = 0; i < n; i++)
        {
            for (var k = rowStart[i]; k < rowStart[i + 1]; k++)
            {
                var j = columns[k];
                if (j <= i)
                {
                    continue;
                }

                // −J·(2x_i − 1)(2x_j − 1) = −4J·x_i·x_j + 2J·x_i + 2J·x_j − J
                var jij = couplings[k];
                terms.Add(new WeightedEdge(i, j, -4 * jij));
                linear[i] += 2 * jij;
                linear[j] += 2 * jij;
                offset -= jij;
            }

            // −h·(2x − 1) = −2h·x + h
            linear[i] -= 2 * model.Field[i];
            offset += model.Field[i];
        }

        for (var i = 0; i < n; i++)
        {
            if (linear[i] != 0)
            {
                terms.Add(new WeightedEdge(i, i, linear[i]));
            }
        }

        return new QuboInstance(n, terms, offset);
    }

    /// <summary>Reads a ±1 state as 0/1 with x = (1 + s)/2.</summary>
    public static byte[] ToBinary(ReadOnlySpan<sbyte> spins)
    {
        var x = new byte[spins.Length];
        for (var i = 0; i < spins.Length; i++)
        {
            x[i] = spins[i] > 0 ? (byte)1 : (byte)0;
        }

        return x;
    }

    /// <summary>Reads a 0/1 state as ±1 with s = 2x − 1.</summary>
    public static sbyte[] ToSpins(ReadOnlySpan<byte> x)
    {
        var s = new sbyte[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            s[i] = x[i] != 0 ? (sbyte)1 : (sbyte)-1;
        }

        return s;
    }
}
