using BenchmarkDotNet.Attributes;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.Benchmarks.Micro;

/// <summary>The pure-CPU part of a charge: pricing a query against a user's state (run with <c>--micro</c>).</summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private PrivacyBudgetPolicy _policy = null!;
    private BudgetState _state;

    [Params(CompositionMethod.Rdp, CompositionMethod.Basic)]
    public CompositionMethod Composition { get; set; }

    /// <summary>Queries already answered today: the RDP conversion's cost does not depend on it, which this shows.</summary>
    [Params(1, 1000)]
    public int Queries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _policy = new PrivacyBudgetPolicy(new PrivacyPolicyOptions { EpsilonPerQuery = 0.1, MaxBudgetPerUser = 1e6, Composition = Composition });
        _state = new BudgetState(Queries, Queries * _policy.QueryRdpRate, Queries * 0.1);
    }

    [Benchmark]
    public double Spent() => _policy.Spent(_state);

    [Benchmark]
    public BudgetDecision Evaluate() => _policy.Evaluate(_state, "cardiology");
}
