using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// Schema 2: budget rows written before budget MACs existed are sealed, but only when the whole
/// ledger verifies (chain, signatures, head) and every row agrees with the chain's charges, refunds
/// and resets; otherwise sealing would vouch for a row that was already changed. Refusal leaves the
/// store at schema 1 and read-only; a later open tries again.
/// </summary>
internal static class BudgetSealMigration
{
    public static void Run(LedgerStore store)
    {
        var verification = new ChainVerifier(store).Verify();
        if (!verification.IsValid)
        {
            throw new LedgerTamperedException(
                $"budget rows were not sealed with MACs (schema 2) because the ledger does not verify: {verification}");
        }

        foreach (var doc in store.Budgets.FindAll().ToList())
        {
            store.Budgets.Update(store.BudgetSeal.Seal(BudgetRow.FromDocument(doc)));
        }
    }
}
