namespace QuantumEdge.Planning.Gpu.Solvers;

/// <summary>How J is stored on the device for the force product.</summary>
internal enum CouplingLayout
{
    /// <summary>Dense when J is dense enough and fits, CSR otherwise.</summary>
    Auto,

    /// <summary>Row-major n×n: every row read in full, no index traffic.</summary>
    Dense,

    /// <summary>CSR: only the stored couplings, plus their column indices.</summary>
    Sparse,
}
