using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// The database and everything derived from it that only the writer thread touches: the chain
/// head, the budget cache and the open transaction. Not thread-safe by design.
/// </summary>
internal sealed class LedgerStore : IDisposable
{
    private const int BudgetCacheLimit = 200_000;
    private readonly Dictionary<string, BudgetRow> _budgetCache = new(StringComparer.Ordinal);

    private readonly SharedBsonValues _sharedValues = new();

    // Records appended in the open transaction, stored as packs when its checkpoint is written (AuditPack).
    private readonly List<BsonDocument> _unstoredAudit = [];

    // The document the last FindAudit decoded: a refund's charge and the cross-check's are usually in the pack just
    // read, which costs a whole pack (up to 256 records) to decode again. A stored pack never changes; retention's
    // delete and a rollback forget it.
    private BsonDocument? _lastLookup;

    private volatile string? _readOnlyReason;
    private PrivacyBudgetPolicy _policy;

    public LedgerStore(LiteDatabase db, LedgerFileStream data, LedgerFileStream log, LedgerPaths paths, LedgerKeys keys,
        NodeIdentity identity, PrivacyBudgetPolicy policy, BudgetWindow window, TimeProvider time, bool openedForReading)
    {
        OpenedForReading = openedForReading;
        Db = db;
        Data = data;
        Log = log;
        Paths = paths;
        Keys = keys;
        Identity = identity;
        _policy = policy;
        Window = window;
        Time = time;
        Cipher = new FieldCipher(keys.FieldKey);
        UserIndex = new UserIndex(keys.UserIndexKey);
        BudgetSeal = new BudgetSeal(keys.BudgetMacKey);
        Meta = db.GetCollection(Collections.Meta);
        Audit = db.GetCollection(Collections.Audit);
        Checkpoints = db.GetCollection(Collections.Checkpoints);
        Budgets = db.GetCollection(Collections.Budgets);
        Refunds = db.GetCollection(Collections.Refunds);
        ReloadHead();
    }

    public LiteDatabase Db { get; }
    public LedgerFileStream Data { get; }
    public LedgerFileStream Log { get; }

    /// <summary>Opened by a verifier or reader: nothing on disk may change, so every write is refused.</summary>
    public bool OpenedForReading { get; }
    public LedgerPaths Paths { get; }
    public LedgerKeys Keys { get; }
    public NodeIdentity Identity { get; }
    /// <summary>Set only on the writer thread (a configuration reload goes through it); read by others too.</summary>
    public PrivacyBudgetPolicy Policy
    {
        get => Volatile.Read(ref _policy);
        set => Volatile.Write(ref _policy, value);
    }
    public BudgetWindow Window { get; }
    public TimeProvider Time { get; }
    public FieldCipher Cipher { get; }
    public UserIndex UserIndex { get; }
    public CanonicalEncoder Encoder { get; } = new();
    public BudgetSeal BudgetSeal { get; }

    /// <summary>Schema 2 and later: every budget row carries a MAC that is checked whenever it is read.</summary>
    public bool BudgetsSealed { get; set; }

    /// <summary>Incremented whenever retention prunes the chain's start (a running background verification starts over).</summary>
    public long ChainEpoch { get; set; }

    /// <summary>The chain was too long to verify at open; a background verification is due.</summary>
    public bool BackgroundVerificationDue { get; set; }

    /// <summary>Budget rows older than this are pruned (bounds what the budget cross-check compares).</summary>
    public int DataRetentionDays { get; init; } = 90;

    public ILiteCollection<BsonDocument> Meta { get; }
    public ILiteCollection<BsonDocument> Audit { get; }
    public ILiteCollection<BsonDocument> Checkpoints { get; }
    public ILiteCollection<BsonDocument> Budgets { get; }
    public ILiteCollection<BsonDocument> Refunds { get; }

    public long LastSeq { get; private set; }
    public byte[] LastHash { get; private set; } = new byte[AuditDocument.HashSize];

    /// <summary>Set when tampering was seen (at open or by a later verification): the store then refuses writes.</summary>
    public string? ReadOnlyReason
    {
        get => _readOnlyReason;
        set => _readOnlyReason = value;
    }

    /// <summary>True when the open transaction appended audit records (a checkpoint is due).</summary>
    public bool AppendedInBatch { get; private set; }

    public DateTimeOffset Now() => Time.GetUtcNow();

    public void EnsureWritable()
    {
        if (OpenedForReading)
        {
            throw new LedgerException($"The ledger '{Paths.Database}' was opened for reading only.");
        }

        if (ReadOnlyReason is not null)
        {
            throw new LedgerTamperedException($"The ledger is read-only: {ReadOnlyReason}. Run 'quantumedge audit verify'.");
        }
    }

    public long AppendAudit(AuditEntry entry)
    {
        var userHash = entry.UserId is null ? null : UserIndex.Hash(entry.UserId);
        var user = entry.UserId is null ? null : Cipher.EncryptCached(AuditFields.UserAad, entry.UserId);
        var department = entry.Department is null ? null : Cipher.EncryptCached(AuditFields.DepartmentAad, entry.Department);
        return AppendAudit(entry, userHash, user, department);
    }

    /// <summary>Appends with already-encrypted user and department blobs (the entry's plain ones are ignored).</summary>
    public long AppendAudit(AuditEntry entry, byte[]? userHash, byte[]? user, byte[]? department, DateTimeOffset? time = null)
    {
        EnsureWritable();
        var seq = LastSeq + 1;
        var doc = AuditDocument.Create(seq, (time ?? Now()).UtcTicks, entry, userHash, user, department, LastHash, Encoder, _sharedValues);
        _unstoredAudit.Add(doc);
        LastSeq = seq;
        LastHash = AuditDocument.Hash(doc);
        AppendedInBatch = true;
        return seq;
    }

    /// <summary>True while records appended in the open transaction are not yet in the collection.</summary>
    public bool HasUnstoredAudit => _unstoredAudit.Count > 0;

    /// <summary>Signs the chain's head as a checkpoint, after storing the transaction's records (as packs).</summary>
    public SignedChainPoint WriteCheckpoint()
    {
        StoreAudit();
        var point = SignedChainPoint.Sign(ChainPointKind.Checkpoint, LastSeq, LastHash, Now().UtcTicks, Identity);
        // Each commit that appended records moves LastSeq past every stored checkpoint, so a plain insert:
        // an upsert's lookup first cost ≈ 14 KB per commit, and a clash now fails the commit instead of re-signing a seq.
        Checkpoints.Insert(ChainPointDocument.ToDocument(point));
        return point;
    }

    public void ResetBatch() => AppendedInBatch = false;

    /// <summary>Records with a seq above <paramref name="afterSeq"/>, in order, at most <paramref name="max"/>.</summary>
    public List<BsonDocument> AuditAfter(long afterSeq, int max)
    {
        StoreAudit();
        return AuditRecords.After(Audit, afterSeq, max);
    }

    /// <summary>The record with this seq, or null.</summary>
    public BsonDocument? FindAudit(long seq)
    {
        StoreAudit();
        if (_lastLookup is { } pack && pack["_id"].IsInt64 && pack["_id"].AsInt64 >= seq && AuditRecords.In(pack, seq) is { } cached)
        {
            return cached;
        }

        var (doc, record) = AuditRecords.Find(Audit, seq);
        _lastLookup = doc;
        return record;
    }

    /// <summary>Forgets the pack the last lookup decoded (its records were deleted or rolled back).</summary>
    public void ForgetLookups() => _lastLookup = null;

    /// <summary>The records of one pseudonymous user, in seq order.</summary>
    public IEnumerable<BsonDocument> AuditOfUser(byte[] userHash)
    {
        StoreAudit();
        return AuditRecords.OfUser(Audit, userHash);
    }

    /// <summary>LiteDB's commit only queues log pages; its checkpoint waits for them and writes the data file.</summary>
    public void MakeDurable()
    {
        Db.Checkpoint();
        Log.SyncIfDirty();
        Data.SyncIfDirty();
    }

    public BudgetRow GetOrCreateBudget(string day, byte[] userHash, DateTimeOffset now)
    {
        var id = BudgetRow.MakeId(day, userHash);
        var row = FindBudget(id);
        if (row is not null)
        {
            return row;
        }

        row = new BudgetRow
        {
            Id = id,
            Day = day,
            ExpiresTicks = Window.NextWindowStart(now).UtcTicks,
            UserHash = userHash,
            State = default,
        };
        CacheBudget(row);
        return row;
    }

    public BudgetRow? FindBudget(string id)
    {
        if (_budgetCache.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var doc = Budgets.FindById(id);
        if (doc is null)
        {
            return null;
        }

        var row = ReadBudget(doc);
        CacheBudget(row);
        return row;
    }

    /// <summary>A stored row, its MAC checked: a row changed outside the node turns the ledger read-only.</summary>
    public BudgetRow ReadBudget(BsonDocument doc)
    {
        if (!BudgetsSealed)
        {
            return BudgetRow.FromDocument(doc);
        }

        if (BudgetSeal.Open(doc) is { } row)
        {
            return row;
        }

        ReadOnlyReason = $"{BudgetSeal.Describe(doc)} does not match its MAC (its spend was changed outside the node)";
        throw new LedgerTamperedException($"The ledger is read-only: {ReadOnlyReason}. Run 'quantumedge audit verify'.");
    }

    public void SaveBudget(BudgetRow row)
    {
        EnsureWritable();
        Budgets.Upsert(BudgetSeal.Seal(row));
    }

    /// <summary>After a rollback the cache and chain head may hold uncommitted values.</summary>
    public void DiscardVolatileState()
    {
        _unstoredAudit.Clear();
        _lastLookup = null;
        _budgetCache.Clear();
        ReloadHead();
        AppendedInBatch = false;
    }

    public void ClearBudgetCache() => _budgetCache.Clear();

    public SignedChainPoint? ReadAnchor()
    {
        var doc = Meta.FindById(Collections.AnchorDoc);
        return doc is null ? null : ChainPointDocument.FromDocument(doc);
    }

    public void WriteAnchor(SignedChainPoint anchor)
    {
        var doc = ChainPointDocument.ToDocument(anchor);
        doc["_id"] = Collections.AnchorDoc;
        Meta.Upsert(doc);
    }

    public BsonDocument? LastCheckpointDocument() =>
        Checkpoints.Query().OrderByDescending("_id").Limit(1).FirstOrDefault();

    public void Dispose()
    {
        Db.Dispose();
        Log.Dispose();
        Data.Dispose();
        Keys.Dispose();
    }

    private void ReloadHead()
    {
        var last = AuditRecords.Last(Audit);
        if (last is not null)
        {
            LastSeq = AuditDocument.Seq(last);
            LastHash = AuditDocument.Hash(last);
            return;
        }

        // An empty (or fully pruned) chain continues from its anchor.
        var anchor = ReadAnchor();
        LastSeq = anchor is { } a ? a.Seq - 1 : 0;
        LastHash = anchor is { } b ? b.Hash : new byte[AuditDocument.HashSize];
    }

    /// <summary>Inserts the open transaction's records, a pack per <see cref="AuditPack.MaxRecords"/>.</summary>
    private void StoreAudit()
    {
        for (var start = 0; start < _unstoredAudit.Count; start += AuditPack.MaxRecords)
        {
            Audit.Insert(AuditPack.Create(_unstoredAudit, start, Math.Min(AuditPack.MaxRecords, _unstoredAudit.Count - start)));
        }

        _unstoredAudit.Clear();
    }

    private void CacheBudget(BudgetRow row)
    {
        if (_budgetCache.Count >= BudgetCacheLimit)
        {
            _budgetCache.Clear();
        }

        _budgetCache[row.Id] = row;
    }
}
