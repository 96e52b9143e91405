using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.PostgreSql;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>A fresh database, one shared node key and options with a cheap KDF; opens replicas by name.</summary>
internal sealed class PostgreSqlLedgerTestContext : IDisposable
{
    public const string MasterKey = LedgerTestContext.MasterKey;

    public PostgreSqlLedgerTestContext(string connectionString, PrivacyPolicyOptions? policy = null)
    {
        ConnectionString = connectionString;
        Root = Path.Combine(Path.GetTempPath(), "qe-pg-ledger-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Identity = NodeIdentity.Generate();
        Policy = policy ?? new PrivacyPolicyOptions { EpsilonPerQuery = 0.1, MaxBudgetPerUser = 1.0 };
    }

    public string ConnectionString { get; }
    public string Root { get; }
    public NodeIdentity Identity { get; }
    public PrivacyPolicyOptions Policy { get; }
    public ManualTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 10, 9, 0, 0, TimeSpan.Zero));

    public LedgerOptions Options(string replica = "replica-a", string? masterKey = MasterKey) => new()
    {
        DataDirectory = Root,
        MasterKey = masterKey,
        Policy = Policy,
        NodeIdentity = Identity,
        Kdf = new KdfParameters(1024, 1),
        TimeProvider = Time,
        ReplicaId = replica,
    };

    public Task<PostgreSqlPrivacyLedger> OpenAsync(string replica = "replica-a", string? masterKey = MasterKey) =>
        PostgreSqlPrivacyLedger.OpenAsync(Options(replica, masterKey), ConnectionString);

    public static ChargeRequest Charge(string user, string? department = "cardiology", string? requestId = null) =>
        LedgerTestContext.Charge(user, department, requestId);

    /// <summary>What the policy admits for one user from an empty budget.</summary>
    public long AffordableFromEmpty(string? department)
    {
        var policy = new PrivacyBudgetPolicy(Policy);
        var state = default(BudgetState);
        long admitted = 0;
        while (policy.Evaluate(state, department) is { Admitted: true } decision)
        {
            state = decision.After;
            admitted++;
        }

        return admitted;
    }

    public void Dispose()
    {
        Identity.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
