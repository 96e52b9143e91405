using System.Security.Cryptography;

namespace QuantumEdge.Federation.Aggregates;

/// <summary>
/// N(0, 1) from the operating system's CSPRNG (Box–Muller on two 53-bit uniforms), so a peer
/// cannot predict or replay the noise. Floating-point sampling is not the exact discrete
/// Gaussian; releases are rounded (see <see cref="DpReleaseOptions.Decimals"/>) to expose fewer
/// low-order bits. Thread-safe.
/// </summary>
internal sealed class SecureGaussianNoise : IGaussianNoise
{
    public double Next()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        // (0, 1]: never 0, so the logarithm is finite.
        var u1 = ((BitConverter.ToUInt64(bytes[..8]) >> 11) + 1) * (1.0 / (1UL << 53));
        var u2 = (BitConverter.ToUInt64(bytes[8..]) >> 11) * (1.0 / (1UL << 53));
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
