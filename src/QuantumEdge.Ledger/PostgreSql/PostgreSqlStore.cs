using Npgsql;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>
/// What one ledger instance (one replica) holds beside the database: the data source, the keys,
/// its chain's committed head, the policy and the read-only flag. The head and the budget seal are
/// touched only by the writer; the rest is safe to read from any thread.
/// </summary>
internal sealed class PostgreSqlStore : IDisposable
{
    private volatile string? _readOnlyReason;
    private PrivacyBudgetPolicy _policy;
    private long _committedSeq;
    private byte[] _committedHash = new byte[CanonicalHashSize];

    public const int CanonicalHashSize = Audit.CanonicalEncoder.HashSize;

    public PostgreSqlStore(NpgsqlDataSource dataSource, string chain, LedgerKeys keys, NodeIdentity identity, PrivacyBudgetPolicy policy,
        BudgetWindow window, TimeProvider time, bool openedForReading)
    {
        DataSource = dataSource;
        Chain = chain;
        Keys = keys;
        Identity = identity;
        _policy = policy;
        Window = window;
        Time = time;
        OpenedForReading = openedForReading;
        Cipher = new FieldCipher(keys.FieldKey);
        UserIndex = new UserIndex(keys.UserIndexKey);
        BudgetSeal = new BudgetSeal(keys.BudgetMacKey);
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>This replica's chain id (<see cref="LedgerOptions.ReplicaId"/>).</summary>
    public string Chain { get; }

    public LedgerKeys Keys { get; }
    public NodeIdentity Identity { get; }
    public BudgetWindow Window { get; }
    public TimeProvider Time { get; }
    public FieldCipher Cipher { get; }
    public UserIndex UserIndex { get; }

    /// <summary>Writer only (it shares one encoder).</summary>
    public BudgetSeal BudgetSeal { get; }

    public bool OpenedForReading { get; }

    public PrivacyBudgetPolicy Policy
    {
        get => Volatile.Read(ref _policy);
        set => Volatile.Write(ref _policy, value);
    }

    public string? ReadOnlyReason
    {
        get => _readOnlyReason;
        set => _readOnlyReason = value;
    }

    public bool BackgroundVerificationDue { get; set; }

    /// <summary>Set when a commit's outcome is unknown (the connection broke during COMMIT): the writer reloads the head before appending.</summary>
    public bool HeadStale { get; set; } = true;

    /// <summary>This chain's newest committed record (writer only).</summary>
    public (long Seq, byte[] Hash) Head => (_committedSeq, _committedHash);

    public void SetHead(long seq, byte[] hash)
    {
        _committedSeq = seq;
        _committedHash = hash;
        HeadStale = false;
    }

    public DateTimeOffset Now() => Time.GetUtcNow();

    public void EnsureWritable()
    {
        if (OpenedForReading)
        {
            throw new LedgerException("The PostgreSQL ledger was opened for reading only.");
        }

        if (ReadOnlyReason is not null)
        {
            throw new LedgerTamperedException($"The ledger is read-only: {ReadOnlyReason}. Run 'quantumedge audit verify'.");
        }
    }

    public void Dispose()
    {
        DataSource.Dispose();
        Keys.Dispose();
    }
}
