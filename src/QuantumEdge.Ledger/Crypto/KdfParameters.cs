namespace QuantumEdge.Ledger.Crypto;

/// <summary>Argon2id cost parameters used to turn MASTER_KEY into the ledger's keys.</summary>
/// <param name="MemoryKiB">Memory cost in KiB.</param>
/// <param name="Passes">Number of passes over memory.</param>
public readonly record struct KdfParameters(int MemoryKiB, int Passes)
{
    /// <summary>OWASP's Argon2id minimum (19 MiB, 2 passes): tens of milliseconds.</summary>
    public static KdfParameters Default => new(19 * 1024, 2);
}
