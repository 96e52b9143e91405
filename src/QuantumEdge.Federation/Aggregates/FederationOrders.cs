using QuantumEdge.Privacy.Accounting;

namespace QuantumEdge.Federation.Aggregates;

/// <summary>
/// The Rényi orders federation releases are accounted at: Opacus's defaults (1.1 … 63) plus
/// larger ones. The conversion term −(ln δ + ln α)/(α − 1) is about 0.19 at α = 63 and δ = 1e-7,
/// so small per-release ε (a few tenths and below) need orders in the hundreds or thousands to be
/// reachable at all; without them the calibration would return absurd noise.
/// </summary>
internal static class FederationOrders
{
    public static IReadOnlyList<double> All { get; } =
        [.. RdpOrders.Default, 64, 80, 96, 128, 160, 192, 256, 384, 512, 768, 1024, 1536, 2048, 4096, 8192];
}
