using System.Numerics;
using System.Runtime.InteropServices;

namespace QuantumEdge.Planning.Solvers;

/// <summary>
/// SIMD kernels over agent-minor state: element [i·A + a] is spin i of agent a, A a multiple of
/// Vector&lt;float&gt;.Count. Every sparse coupling then multiplies whole vectors of agents, which is
/// what makes many agents nearly free compared with one.
/// </summary>
internal static class AgentKernels
{
    /// <summary>destination[i,·] = Σ_k J_ik·source[k,·] (sparse J times a dense block of agents).</summary>
    /// <remarks>
    /// Sums run in registers, four vectors of agents at a time, and are stored once per row: on
    /// sparse rows (degree 4) a read-modify-write of the row per coupling cost more than the products.
    /// </remarks>
    public static void Multiply(int[] rowStart, int[] columns, float[] values, float[] source, float[] destination, int chunks)
    {
        var src = MemoryMarshal.Cast<float, Vector<float>>(source.AsSpan());
        var dst = MemoryMarshal.Cast<float, Vector<float>>(destination.AsSpan());
        var rows = rowStart.Length - 1;
        var wide = chunks - (chunks % 4);
        for (var i = 0; i < rows; i++)
        {
            var first = rowStart[i];
            var end = rowStart[i + 1];
            var rowAt = i * chunks;
            for (var c = 0; c < wide; c += 4)
            {
                var s0 = Vector<float>.Zero;
                var s1 = Vector<float>.Zero;
                var s2 = Vector<float>.Zero;
                var s3 = Vector<float>.Zero;
                for (var k = first; k < end; k++)
                {
                    var w = new Vector<float>(values[k]);
                    var from = src.Slice((columns[k] * chunks) + c, 4);
                    s0 += w * from[0];
                    s1 += w * from[1];
                    s2 += w * from[2];
                    s3 += w * from[3];
                }

                var to = dst.Slice(rowAt + c, 4);
                to[0] = s0;
                to[1] = s1;
                to[2] = s2;
                to[3] = s3;
            }

            for (var c = wide; c < chunks; c++)
            {
                var sum = Vector<float>.Zero;
                for (var k = first; k < end; k++)
                {
                    sum += new Vector<float>(values[k]) * src[(columns[k] * chunks) + c];
                }

                dst[rowAt + c] = sum;
            }
        }
    }

    /// <summary>signs = sign(x), with sign(0) = +1.</summary>
    public static void Sign(float[] x, float[] signs)
    {
        var xs = MemoryMarshal.Cast<float, Vector<float>>(x.AsSpan());
        var ss = MemoryMarshal.Cast<float, Vector<float>>(signs.AsSpan());
        var one = Vector<float>.One;
        var minusOne = -one;
        for (var i = 0; i < xs.Length; i++)
        {
            ss[i] = Vector.ConditionalSelect(Vector.LessThan(xs[i], Vector<float>.Zero), minusOne, one);
        }
    }

    /// <summary>
    /// One symplectic-Euler step with inelastic walls, fused so the state is read once:
    /// y += (−pressure·x + c0·(f + h))·Δt; x += a0·y·Δt; where |x| &gt; 1: x = sign(x), y = 0.
    /// </summary>
    /// <remarks>With <paramref name="signs"/>, sign(x) of the new positions is written too, sparing dSB a pass.</remarks>
    public static void Step(float[] x, float[] y, float[] forces, float[]? field, int chunks, float pressure, float c0, float a0, float dt, float[]? signs = null)
    {
        var xs = MemoryMarshal.Cast<float, Vector<float>>(x.AsSpan());
        var ys = MemoryMarshal.Cast<float, Vector<float>>(y.AsSpan());
        var fs = MemoryMarshal.Cast<float, Vector<float>>(forces.AsSpan());
        var ss = MemoryMarshal.Cast<float, Vector<float>>(signs.AsSpan());
        var kx = new Vector<float>(-pressure * dt);
        var kf = new Vector<float>(c0 * dt);
        var ka = new Vector<float>(a0 * dt);
        var one = Vector<float>.One;
        var minusOne = -one;
        var rows = xs.Length / chunks;
        for (var i = 0; i < rows; i++)
        {
            var kh = new Vector<float>(field is null ? 0f : field[i] * c0 * dt);
            var start = i * chunks;
            for (var c = start; c < start + chunks; c++)
            {
                var xi = xs[c];
                var yi = ys[c] + (kx * xi) + (kf * fs[c]) + kh;
                xi += ka * yi;
                var wall = Vector.GreaterThan(Vector.Abs(xi), one);
                var negative = Vector.LessThan(xi, Vector<float>.Zero);
                xs[c] = Vector.ConditionalSelect(wall, Vector.ConditionalSelect(negative, minusOne, one), xi);
                ys[c] = Vector.ConditionalSelect(wall, Vector<float>.Zero, yi);
                if (ss.Length != 0)
                {
                    ss[c] = Vector.ConditionalSelect(negative, minusOne, one);
                }
            }
        }
    }

    /// <summary>
    /// Energy of each agent's sign state given f = J·s: E_a = offset − Σ_i s_ia·(½·f_ia + h_i).
    /// </summary>
    public static void Energies(float[] signs, float[] couplingForces, float[]? field, int chunks, float offset, float[] energies)
    {
        var ss = MemoryMarshal.Cast<float, Vector<float>>(signs.AsSpan());
        var fs = MemoryMarshal.Cast<float, Vector<float>>(couplingForces.AsSpan());
        var acc = MemoryMarshal.Cast<float, Vector<float>>(energies.AsSpan());
        acc.Clear();
        var half = new Vector<float>(0.5f);
        var rows = ss.Length / chunks;
        for (var i = 0; i < rows; i++)
        {
            var h = new Vector<float>(field is null ? 0f : field[i]);
            var start = i * chunks;
            for (var c = 0; c < chunks; c++)
            {
                acc[c] += ss[start + c] * ((half * fs[start + c]) + h);
            }
        }

        var off = new Vector<float>(offset);
        for (var c = 0; c < chunks; c++)
        {
            acc[c] = off - acc[c];
        }
    }
}
