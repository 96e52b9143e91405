using QuantumEdge.Gateway.Classification;

namespace QuantumEdge.Gateway.Lending;

/// <summary>
/// The one rule of capacity lending that no configuration can change: only <c>public</c> and
/// <c>internal</c> data ever crosses to another hospital's backends. Checked where a borrowed
/// backend is offered as a candidate, where it permits a class, where the borrower signs, and on
/// the lender before and after its own PHI screen.
/// </summary>
internal static class LendingPolicy
{
    public static bool IsLendable(DataClassification classification) =>
        classification is DataClassification.Public or DataClassification.Internal;
}
