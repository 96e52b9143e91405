using LiteDB;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Ledger.Audit;

/// <summary>
/// Checks every record's hash, the prev_hash links, seq contiguity from the signed anchor,
/// every checkpoint's signature and hash, the unsigned tail, and the signed head file.
/// Reads in seq-range chunks so memory stays bounded.
/// </summary>
internal sealed class ChainVerifier
{
    private const int ChunkSize = 8192;
    private const int MaxProblems = 1000;

    private readonly LedgerStore _store;
    private readonly List<VerificationProblem> _problems = [];

    public ChainVerifier(LedgerStore store) => _store = store;

    public VerificationResult Verify()
    {
        var identity = _store.Identity;
        var anchor = _store.ReadAnchor();
        var expected = 1L;
        var prev = new byte[AuditDocument.HashSize];
        if (anchor is null)
        {
            Add(0, VerificationProblemKind.AnchorMissing, "the signed retention anchor is missing from the meta collection");
        }
        else
        {
            if (!anchor.Value.IsValid(ChainPointKind.Anchor, identity))
            {
                Add(anchor.Value.Seq, VerificationProblemKind.AnchorSignatureInvalid, "the retention anchor's signature is invalid");
            }

            expected = anchor.Value.Seq;
            prev = anchor.Value.Hash;
        }

        var firstSeq = expected;
        long records = 0, checkpoints = 0, lastSeq = expected - 1, lastCheckpointSeq = long.MinValue;
        var lastHash = prev;
        var hashes = new Dictionary<long, byte[]>();
        long chunkStart = long.MinValue;
        while (true)
        {
            hashes.Clear();
            var chunk = _store.Audit.Find(Query.GT("_id", chunkStart), limit: ChunkSize).ToList();
            if (chunk.Count == 0)
            {
                break;
            }

            foreach (var doc in chunk)
            {
                records++;
                if (!doc["_id"].IsInt64)
                {
                    Add(expected, VerificationProblemKind.MalformedRecord, $"a record's seq has type {doc["_id"].Type}");
                    continue;
                }

                var seq = doc["_id"].AsInt64;
                var linkExpected = true;
                if (seq < expected)
                {
                    Add(seq, VerificationProblemKind.UnexpectedRecord, $"record {seq} precedes the chain start {expected}");
                    continue;
                }

                if (seq > expected)
                {
                    Add(expected, VerificationProblemKind.MissingRecord,
                        seq == expected + 1 ? $"record {expected} is missing" : $"records {expected}..{seq - 1} are missing");
                    linkExpected = false;
                }

                try
                {
                    var storedPrev = AuditDocument.ReadBytes(doc, AuditFields.PrevHash) ?? [];
                    var storedHash = AuditDocument.Hash(doc);
                    if (linkExpected && !storedPrev.AsSpan().SequenceEqual(prev))
                    {
                        Add(seq, VerificationProblemKind.BrokenLink, $"record {seq}'s prev_hash is not record {seq - 1}'s hash");
                    }

                    if (!AuditDocument.ComputeHash(doc, _store.Encoder).AsSpan().SequenceEqual(storedHash))
                    {
                        Add(seq, VerificationProblemKind.HashMismatch, $"record {seq}'s content does not match its hash");
                    }

                    prev = storedHash;
                    hashes[seq] = storedHash;
                }
                catch (Exception ex) when (ex is FormatException or InvalidCastException or NullReferenceException)
                {
                    Add(seq, VerificationProblemKind.MalformedRecord, $"record {seq} is malformed: {ex.Message}");
                    prev = [];
                }

                expected = seq + 1;
                lastSeq = seq;
                lastHash = prev;
            }

            var rangeEnd = chunk[^1]["_id"].IsInt64 ? chunk[^1]["_id"].AsInt64 : long.MaxValue;
            checkpoints += CheckCheckpoints(chunkStart, rangeEnd, hashes, firstSeq, ref lastCheckpointSeq);
            chunkStart = rangeEnd;
            if (chunk.Count < ChunkSize)
            {
                break;
            }
        }

        // Checkpoints beyond the last record point at records that are gone.
        checkpoints += CheckCheckpoints(chunkStart, long.MaxValue, hashes, firstSeq, ref lastCheckpointSeq);

        if (lastSeq >= firstSeq && lastCheckpointSeq < lastSeq)
        {
            var from = Math.Max(lastCheckpointSeq + 1, firstSeq);
            Add(from, VerificationProblemKind.UnsignedTail, $"records {from}..{lastSeq} are not covered by a signed checkpoint");
        }

        CheckHead(lastSeq, lastHash, firstSeq);
        _problems.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        return new VerificationResult
        {
            RecordsChecked = records,
            CheckpointsChecked = checkpoints,
            FirstSeq = firstSeq,
            LastSeq = lastSeq,
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

        var doc = _store.Audit.FindById(h.Seq);
        var hash = h.Seq == lastSeq ? lastHash : doc is null ? null : AuditDocument.Hash(doc);
        if (hash is null || !hash.AsSpan().SequenceEqual(h.Hash))
        {
            Add(h.Seq, VerificationProblemKind.HeadMismatch, $"record {h.Seq}'s hash differs from the signed head file");
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
