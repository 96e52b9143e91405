namespace QuantumEdge.Planning.Solvers;

/// <summary>Which simulated-bifurcation flavour drives the agents (Goto et al. 2021).</summary>
public enum BifurcationVariant
{
    /// <summary>bSB: the coupling force uses the continuous positions x.</summary>
    Ballistic,

    /// <summary>dSB: the coupling force uses sign(x); best on MaxCut.</summary>
    Discrete,
}
