using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// Checks every record's hash, the prev_hash links, seq contiguity from the signed anchor,
/// every checkpoint's signature and hash, the unsigned tail, the signed head file, every budget
/// row's MAC and the budget rows against the chain's charges (<see cref="BudgetChainCheck"/>).
/// Reads in seq-range chunks so memory stays bounded.
/// </summary>
internal sealed class ChainVerifier
{
    /// <summary>Records per step when nothing else waits for the writer.</summary>
    public const int DefaultChunkSize = 8192;

    /// <summary>Records per step of a background verification: each step holds the writer, so charges wait at most one small step.</summary>
    public const int BackgroundChunkSize = 512;
    private const int MaxProblems = 1000;

    private readonly LedgerStore _store;
    private readonly List<VerificationProblem> _problems = [];

    private readonly Dictionary<long, byte[]> _hashes = [];
    private BudgetChainCheck? _budgets;
    private bool _started;
    private long _expected = 1, _firstSeq = 1, _records, _checkpoints, _lastSeq, _lastCheckpointSeq = long.MinValue;
    private long _chunkStart = long.MinValue;
    private byte[] _prev = new byte[AuditDocument.HashSize];
    private byte[] _lastHash = new byte[AuditDocument.HashSize];

    private readonly int _chunkSize;

    public ChainVerifier(LedgerStore store, int chunkSize = DefaultChunkSize)
    {
        _store = store;
        _chunkSize = chunkSize;
    }

    /// <summary>Set once the last <see cref="Step"/> has run.</summary>
    public VerificationResult? Result { get; private set; }

    /// <summary>Verifies everything in one go (the caller holds the writer: a consistent snapshot).</summary>
    public VerificationResult Verify()
    {
        while (!Step())
        {
        }

        return Result!;
    }

    /// <summary>
    /// Verifies the next chunk of records; after the last one, the checkpoints beyond it, the head
    /// file and the budget rows. Returns true when done. Between steps the writer may append
    /// records (they are verified by later steps) but must not prune (start over then).
    /// </summary>
    public bool Step()
    {
        if (!_started)
        {
            Start();
        }

        _hashes.Clear();
        var chunk = NextChunk();
        foreach (var doc in chunk)
        {
            CheckRecord(doc);
        }

        if (chunk.Count > 0)
        {
            var rangeEnd = chunk[^1]["_id"].IsInt64 ? chunk[^1]["_id"].AsInt64 : long.MaxValue;
            _checkpoints += CheckCheckpoints(_chunkStart, rangeEnd, _hashes, _firstSeq, ref _lastCheckpointSeq);
            _chunkStart = rangeEnd;
        }

        if (chunk.Count >= _chunkSize)
        {
            return false;
        }

        Finish();
        return true;
    }

    /// <summary>
    /// The records of the next documents after <see cref="_chunkStart"/>, a chunk or a little more (whole
    /// packs); a pack that cannot be read as records is reported (its records then show as missing).
    /// </summary>
    private List<BsonDocument> NextChunk()
    {
        var records = new List<BsonDocument>(Math.Min(_chunkSize, 4096));
        foreach (var doc in _store.Audit.Find(Query.GT("_id", _chunkStart)))
        {
            if (AuditPack.Problem(doc) is { } problem)
            {
                Add(doc["_id"].IsInt64 ? doc["_id"].AsInt64 : _expected, VerificationProblemKind.MalformedRecord, problem);
                continue;
            }

            records.AddRange(AuditPack.Expand(doc));

            // Whole documents only: the next chunk starts after this one's _id, which is its last record's seq.
            if (records.Count >= _chunkSize)
            {
                break;
            }
        }

        return records;
    }

    private void Start()
    {
        _started = true;
        _budgets = new BudgetChainCheck(_store);
        var anchor = _store.ReadAnchor();
        if (anchor is null)
        {
            Add(0, VerificationProblemKind.AnchorMissing, "the signed retention anchor is missing from the meta collection");
        }
        else
        {
            if (!anchor.Value.IsValid(ChainPointKind.Anchor, _store.Identity))
            {
                Add(anchor.Value.Seq, VerificationProblemKind.AnchorSignatureInvalid, "the retention anchor's signature is invalid");
            }

            _expected = anchor.Value.Seq;
            _prev = anchor.Value.Hash;
        }

        _firstSeq = _expected;
        _lastSeq = _expected - 1;
        _lastHash = _prev;
    }

    private void CheckRecord(BsonDocument doc)
    {
        _records++;
        if (!doc["_id"].IsInt64)
        {
            Add(_expected, VerificationProblemKind.MalformedRecord, $"a record's seq has type {doc["_id"].Type}");
            return;
        }

        var seq = doc["_id"].AsInt64;
        var linkExpected = true;
        if (seq < _expected)
        {
            Add(seq, VerificationProblemKind.UnexpectedRecord, $"record {seq} precedes the chain start {_expected}");
            return;
        }

        if (seq > _expected)
        {
            Add(_expected, VerificationProblemKind.MissingRecord,
                seq == _expected + 1 ? $"record {_expected} is missing" : $"records {_expected}..{seq - 1} are missing");
            linkExpected = false;
        }

        try
        {
            var storedPrev = AuditDocument.ReadBytes(doc, AuditFields.PrevHash) ?? [];
            var storedHash = AuditDocument.Hash(doc);
            if (linkExpected && !storedPrev.AsSpan().SequenceEqual(_prev))
            {
                Add(seq, VerificationProblemKind.BrokenLink, $"record {seq}'s prev_hash is not record {seq - 1}'s hash");
            }

            if (!AuditDocument.ComputeHash(doc, _store.Encoder).AsSpan().SequenceEqual(storedHash))
            {
                Add(seq, VerificationProblemKind.HashMismatch, $"record {seq}'s content does not match its hash");
            }

            _prev = storedHash;
            _hashes[seq] = storedHash;
            _budgets!.Observe(doc);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or NullReferenceException)
        {
            Add(seq, VerificationProblemKind.MalformedRecord, $"record {seq} is malformed: {ex.Message}");
            _prev = [];
        }

        _expected = seq + 1;
        _lastSeq = seq;
        _lastHash = _prev;
    }

    private void Finish()
    {
        // Checkpoints beyond the last record point at records that are gone.
        _checkpoints += CheckCheckpoints(_chunkStart, long.MaxValue, _hashes, _firstSeq, ref _lastCheckpointSeq);

        if (_lastSeq >= _firstSeq && _lastCheckpointSeq < _lastSeq)
        {
            var from = Math.Max(_lastCheckpointSeq + 1, _firstSeq);
            Add(from, VerificationProblemKind.UnsignedTail, $"records {from}..{_lastSeq} are not covered by a signed checkpoint");
        }

        CheckHead(_lastSeq, _lastHash, _firstSeq);
        _problems.Sort((a, b) => a.Seq.CompareTo(b.Seq));

        // After the chain's own problems: a broken chain also makes budget rows disagree with it.
        CheckBudgets(_budgets!, chainWasPruned: _firstSeq > 1);
        Result = new VerificationResult
        {
            RecordsChecked = _records,
            CheckpointsChecked = _checkpoints,
            FirstSeq = _firstSeq,
            LastSeq = _lastSeq,
            Problems = _problems.ToArray(),
        };
    }

    private long CheckCheckpoints(long afterSeq, long upToSeq, Dictionary<long, byte[]> hashes, long firstSeq, ref long lastCheckpointSeq)
    {
        var count = 0L;
        var query = upToSeq == long.MaxValue
            ? Query.GT("_id", afterSeq)
            : Query.And(Query.GT("_id", afterSeq), Query.LTE("_id", upToSeq));
        foreach (var doc in _store.Checkpoints.Find(query))
        {
            count++;
            SignedChainPoint point;
            try
            {
                point = ChainPointDocument.FromDocument(doc);
            }
            catch (Exception ex) when (ex is InvalidCastException or NullReferenceException)
            {
                Add(doc["_id"].IsInt64 ? doc["_id"].AsInt64 : 0, VerificationProblemKind.CheckpointSignatureInvalid, "a checkpoint is malformed");
                continue;
            }

            if (!point.IsValid(ChainPointKind.Checkpoint, _store.Identity) || doc["_id"] != point.Seq)
            {
                Add(point.Seq, VerificationProblemKind.CheckpointSignatureInvalid, $"checkpoint {point.Seq}'s signature is invalid");
                continue;
            }

            if (point.Seq < firstSeq)
            {
                continue;
            }

            lastCheckpointSeq = Math.Max(lastCheckpointSeq, point.Seq);
            if (!hashes.TryGetValue(point.Seq, out var hash))
            {
                Add(point.Seq, VerificationProblemKind.CheckpointMismatch, $"signed checkpoint {point.Seq} names a record that is missing");
            }
            else if (!hash.AsSpan().SequenceEqual(point.Hash))
            {
                Add(point.Seq, VerificationProblemKind.CheckpointMismatch, $"record {point.Seq}'s hash differs from its signed checkpoint");
            }
        }

        return count;
    }

    private void CheckHead(long lastSeq, byte[] lastHash, long firstSeq)
    {
        SignedChainPoint? head;
        try
        {
            head = HeadFile.Read(_store.Paths.Head);
        }
        catch (FormatException ex)
        {
            Add(lastSeq, VerificationProblemKind.HeadMissing, ex.Message);
            return;
        }

        if (head is not { } h)
        {
            Add(lastSeq, VerificationProblemKind.HeadMissing, $"the signed head file '{_store.Paths.Head}' is missing");
            return;
        }

        if (!h.IsValid(ChainPointKind.Checkpoint, _store.Identity))
        {
            Add(h.Seq, VerificationProblemKind.HeadSignatureInvalid, "the head file's signature is invalid");
            return;
        }

        if (h.Seq > lastSeq)
        {
            Add(lastSeq + 1, VerificationProblemKind.Truncated,
                $"the signed head names record {h.Seq} but the chain ends at {lastSeq}: records {lastSeq + 1}..{h.Seq} were removed");
            return;
        }

        if (h.Seq == firstSeq - 1)
        {
            var anchor = _store.ReadAnchor();
            if (anchor is { } a && !a.Hash.AsSpan().SequenceEqual(h.Hash))
            {
                Add(firstSeq, VerificationProblemKind.HeadMismatch, "the head file does not match the chain start");
            }

            return;
        }

        if (h.Seq < firstSeq)
        {
            // Retention pruned past an older head; only possible if the head file was replaced by an old copy.
            Add(firstSeq, VerificationProblemKind.HeadMismatch, $"the head file names record {h.Seq}, before the chain start {firstSeq}");
            return;
        }

        var doc = _store.FindAudit(h.Seq);
        var hash = h.Seq == lastSeq ? lastHash : doc is null ? null : AuditDocument.Hash(doc);
        if (hash is null || !hash.AsSpan().SequenceEqual(h.Hash))
        {
            Add(h.Seq, VerificationProblemKind.HeadMismatch, $"record {h.Seq}'s hash differs from the signed head file");
        }
    }

    private void CheckBudgets(BudgetChainCheck budgets, bool chainWasPruned)
    {
        if (_store.BudgetsSealed)
        {
            foreach (var doc in _store.Budgets.FindAll())
            {
                if (_store.BudgetSeal.Open(doc) is null)
                {
                    Add(0, VerificationProblemKind.BudgetRowTampered, $"{BudgetSeal.Describe(doc)} does not match its MAC (its spend was changed outside the node)");
                }
            }
        }

        foreach (var problem in budgets.Compare(chainWasPruned))
        {
            Add(0, VerificationProblemKind.BudgetRowDisagreesWithChain, problem);
        }
    }

    private void Add(long seq, VerificationProblemKind kind, string message)
    {
        if (_problems.Count < MaxProblems)
        {
            _problems.Add(new VerificationProblem(seq, kind, message));
        }
    }
}
