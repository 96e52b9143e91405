using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Privacy;
using QuantumEdge.Ledger.LiteDb;

namespace QuantumEdge.Ledger.Tests;

/// <summary>A temporary data directory, a node key and options with a cheap KDF.</summary>
internal sealed class LedgerTestContext : IDisposable
{
    public const string MasterKey = "test-master-key-4f1c9e";

    public LedgerTestContext(PrivacyPolicyOptions? policy = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "qe-ledger-tests", Guid.NewGuid().ToString("N"));
        DataDirectory = Path.Combine(Root, "data");
        Directory.CreateDirectory(DataDirectory);
        Identity = NodeIdentity.Generate();
        Policy = policy ?? new PrivacyPolicyOptions { EpsilonPerQuery = 0.1, MaxBudgetPerUser = 1.0 };
    }

    public string Root { get; }
    public string DataDirectory { get; }
    public NodeIdentity Identity { get; }
    public PrivacyPolicyOptions Policy { get; }
    public ManualTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 10, 9, 0, 0, TimeSpan.Zero));

    public string DatabasePath => Path.Combine(DataDirectory, "ledger.db");

    public LedgerOptions Options(string? masterKey = MasterKey, string? dataDirectory = null) => new()
    {
        DataDirectory = dataDirectory ?? DataDirectory,
        MasterKey = masterKey,
        Policy = Policy,
        NodeIdentity = Identity,
        Kdf = new KdfParameters(1024, 1),
        TimeProvider = Time,
    };

    public LiteDbPrivacyLedger Open(string? masterKey = MasterKey) => LiteDbPrivacyLedger.Open(Options(masterKey));

    /// <summary>Changes the closed database as an attacker with the file would, then opens the ledger and verifies it.</summary>
    public async Task<VerificationResult> VerifyAfterTamperingAsync(Action<LiteDB.LiteDatabase> tamper)
    {
        using (var db = new LiteDB.LiteDatabase(DatabasePath))
        {
            tamper(db);
        }

        using var ledger = Open();
        return await ledger.VerifyAsync();
    }

    public static ChargeRequest Charge(string user, string? department = "cardiology", string? requestId = null) => new()
    {
        UserId = user,
        Department = department,
        Role = "doctor",
        RequestId = requestId ?? Guid.NewGuid().ToString("N"),
        Classification = "restricted",
        Model = "llama-3-70b",
        PromptHmac = "00",
    };

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

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now;

    public ManualTimeProvider(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
