using LiteDB;
using QuantumEdge.Ledger.Batches;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// <see cref="IBatchStateStore"/> in the ledger file: collections <c>batches</c> and
/// <c>batch_lines</c> (a line's id is the batch id and its zero-padded index, so a batch's lines are
/// one range of the primary key). Every call goes through the ledger's writer thread, so each
/// change is one transaction, fsync'd before its task completes, and compare-and-set is exact.
/// </summary>
internal sealed class LiteDbBatchStateStore(GroupCommitWriter writer) : IBatchStateStore
{
    public Task<BatchState> CreateAsync(BatchState batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        return writer.Enqueue(store =>
        {
            store.EnsureWritable();
            var batches = Batches(store);
            if (batches.FindById(batch.Id) is not null)
            {
                throw new LedgerException($"A batch with id '{batch.Id}' is already stored.");
            }

            var stored = batch with { Completed = 0, Failed = 0, Version = 1, LeaseHolder = null, LeaseUntil = null };
            batches.Insert(ToDocument(store, stored));
            return stored;
        });
    }

    public Task<BatchState?> GetAsync(string batchId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        cancellationToken.ThrowIfCancellationRequested();
        return writer.Enqueue(store => Batches(store).FindById(batchId) is { } doc ? FromDocument(store, doc) : null);
    }

    public Task<IReadOnlyList<BatchState>> ListAsync(string? ownerSubject = null, bool unfinishedOnly = false, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return writer.Enqueue<IReadOnlyList<BatchState>>(store =>
        {
            var ownerHash = ownerSubject is null ? null : store.UserIndex.Hash(ownerSubject);
            var result = new List<BatchState>();
            foreach (var doc in Batches(store).FindAll())
            {
                if ((ownerHash is null || doc["owner_hash"].AsBinary.AsSpan().SequenceEqual(ownerHash))
                    && (!unfinishedOnly || !BatchState.IsFinal(doc["status"].AsString)))
                {
                    result.Add(FromDocument(store, doc));
                }
            }

            return result;
        });
    }

    public Task<BatchState?> UpdateAsync(BatchState batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        return writer.Enqueue(store =>
        {
            store.EnsureWritable();
            var batches = Batches(store);
            var doc = batches.FindById(batch.Id);
            if (doc is null || doc["version"].AsInt64 != batch.Version)
            {
                return null;
            }

            doc["status"] = batch.Status;
            doc["total"] = batch.Total;
            doc["expires_at"] = batch.ExpiresAt is { } e ? new BsonValue(e) : BsonValue.Null;
            doc["details"] = store.Cipher.Encrypt(BatchStateFields.DetailsAad, batch.Details);
            doc["version"] = batch.Version + 1;
            batches.Update(doc);
            return FromDocument(store, doc);
        });
    }

    public Task<bool> RecordLineAsync(string batchId, string leaseHolder, BatchLineState line, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        ArgumentException.ThrowIfNullOrEmpty(leaseHolder);
        ArgumentNullException.ThrowIfNull(line);
        line.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        return writer.Enqueue(store =>
        {
            store.EnsureWritable();
            var batches = Batches(store);
            var batch = batches.FindById(batchId);
            if (batch is null || batch["lease_holder"].IsNull || batch["lease_holder"].AsString != leaseHolder)
            {
                return false;
            }

            var lines = Lines(store);
            var id = LineId(batchId, line.Index);
            if (lines.FindById(id) is { } previous && BatchLineStatuses.IsFinal(previous["status"].AsString))
            {
                return false;
            }

            lines.Upsert(new BsonDocument
            {
                ["_id"] = id,
                ["index"] = line.Index,
                ["status"] = line.Status,
                ["attempt"] = line.Attempt,
                ["request_id"] = line.RequestId,
                ["error_code"] = line.ErrorCode is null ? BsonValue.Null : line.ErrorCode,
                ["offset"] = line.EntryOffset,
                ["length"] = line.EntryLength,
                ["sha256"] = line.EntrySha256 is null ? BsonValue.Null : line.EntrySha256,
            });
            if (BatchLineStatuses.IsFinal(line.Status))
            {
                var counter = line.Status == BatchLineStatuses.Done ? "completed" : "failed";
                batch[counter] = batch[counter].AsInt32 + 1;
                batches.Update(batch);
            }

            return true;
        });
    }

    public Task<IReadOnlyList<BatchLineState>> ReadLinesAsync(string batchId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        cancellationToken.ThrowIfCancellationRequested();
        return writer.Enqueue<IReadOnlyList<BatchLineState>>(store =>
            Lines(store).Find(Query.StartsWith("_id", batchId + "/")).Select(d => new BatchLineState
            {
                Index = d["index"].AsInt32,
                Status = d["status"].AsString,
                Attempt = d["attempt"].AsInt32,
                RequestId = d["request_id"].AsString,
                ErrorCode = d["error_code"].IsNull ? null : d["error_code"].AsString,
                EntryOffset = d["offset"].AsInt64,
                EntryLength = d["length"].AsInt32,
                EntrySha256 = d["sha256"].IsNull ? null : d["sha256"].AsString,
            }).OrderBy(l => l.Index).ToList());
    }

    public Task<bool> TryLeaseAsync(string batchId, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        BatchState.Check(holder, nameof(holder));
        cancellationToken.ThrowIfCancellationRequested();
        return writer.Enqueue(store =>
        {
            store.EnsureWritable();
            var batches = Batches(store);
            var doc = batches.FindById(batchId);
            var now = store.Now();
            if (doc is null || (!doc["lease_holder"].IsNull && doc["lease_holder"].AsString != holder && doc["lease_until"].AsInt64 > now.UtcTicks))
            {
                return false;
            }

            doc["lease_holder"] = holder;
            doc["lease_until"] = (now + duration).UtcTicks;
            batches.Update(doc);
            return true;
        });
    }

    public Task ReleaseLeaseAsync(string batchId, string holder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        cancellationToken.ThrowIfCancellationRequested();
        return writer.Enqueue(store =>
        {
            store.EnsureWritable();
            var batches = Batches(store);
            if (batches.FindById(batchId) is { } doc && !doc["lease_holder"].IsNull && doc["lease_holder"].AsString == holder)
            {
                doc["lease_holder"] = BsonValue.Null;
                doc["lease_until"] = BsonValue.Null;
                batches.Update(doc);
            }

            return true;
        });
    }

    private static ILiteCollection<BsonDocument> Batches(LedgerStore store) => store.Db.GetCollection(Collections.Batches);

    private static ILiteCollection<BsonDocument> Lines(LedgerStore store) => store.Db.GetCollection(Collections.BatchLines);

    private static string LineId(string batchId, int index) => $"{batchId}/{index:D10}";

    private static BsonDocument ToDocument(LedgerStore store, BatchState batch) => new()
    {
        ["_id"] = batch.Id,
        ["owner_hash"] = store.UserIndex.Hash(batch.Owner.Subject),
        ["owner"] = store.Cipher.Encrypt(BatchStateFields.OwnerAad, batch.Owner.Subject),
        ["role"] = batch.Owner.Role,
        ["department"] = batch.Owner.Department is { } d ? store.Cipher.Encrypt(BatchStateFields.DepartmentAad, d) : BsonValue.Null,
        ["status"] = batch.Status,
        ["created_at"] = batch.CreatedAt,
        ["expires_at"] = batch.ExpiresAt is { } e ? new BsonValue(e) : BsonValue.Null,
        ["total"] = batch.Total,
        ["completed"] = batch.Completed,
        ["failed"] = batch.Failed,
        ["details"] = store.Cipher.Encrypt(BatchStateFields.DetailsAad, batch.Details),
        ["version"] = batch.Version,
        ["lease_holder"] = BsonValue.Null,
        ["lease_until"] = BsonValue.Null,
    };

    private static BatchState FromDocument(LedgerStore store, BsonDocument doc) => new()
    {
        Id = doc["_id"].AsString,
        Owner = new BatchOwner(
            store.Cipher.Decrypt(BatchStateFields.OwnerAad, doc["owner"].AsBinary),
            doc["role"].AsString,
            doc["department"].IsNull ? null : store.Cipher.Decrypt(BatchStateFields.DepartmentAad, doc["department"].AsBinary)),
        Status = doc["status"].AsString,
        CreatedAt = doc["created_at"].AsInt64,
        ExpiresAt = doc["expires_at"].IsNull ? null : doc["expires_at"].AsInt64,
        Total = doc["total"].AsInt32,
        Completed = doc["completed"].AsInt32,
        Failed = doc["failed"].AsInt32,
        Details = store.Cipher.Decrypt(BatchStateFields.DetailsAad, doc["details"].AsBinary),
        Version = doc["version"].AsInt64,
        LeaseHolder = doc["lease_holder"].IsNull ? null : doc["lease_holder"].AsString,
        LeaseUntil = doc["lease_until"].IsNull ? null : new DateTimeOffset(doc["lease_until"].AsInt64, TimeSpan.Zero),
    };
}
