using System.Security.Cryptography;
using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// Opens or creates the store: MASTER_KEY check before anything is written, schema migrations,
/// and a head-file check that turns the store read-only when the tail was tampered with.
/// </summary>
internal static class StoreOpener
{
    // A FIFO or a device reports no size either; both read here as no ledger.
    private const string EmptyOrNotRegular = "empty (0 bytes) or not a regular file";

    public static LedgerStore Open(LedgerOptions options, LedgerPaths paths, NodeIdentity identity,
        PrivacyBudgetPolicy policy, BudgetWindow window)
    {
        var exists = File.Exists(paths.Database) && new FileInfo(paths.Database).Length > 0;
        if (!exists)
        {
            RefuseWhenHeadProvesALedger(paths, identity);
            if (options.ReadOnly)
            {
                throw new LedgerMissingException($"There is no ledger at '{paths.Database}' (the file is {(File.Exists(paths.Database) ? EmptyOrNotRegular : "missing")}); nothing to read.");
            }
        }

        if (string.IsNullOrEmpty(options.MasterKey))
        {
            throw new MasterKeyMissingException(exists
                ? $"MASTER_KEY is not set, but the ledger '{paths.Database}' exists and is encrypted with it; set MASTER_KEY to the key it was created with."
                : $"MASTER_KEY is not set; it is required to create the encrypted ledger '{paths.Database}'.");
        }

        if (!exists && MasterKeyEdges.CreationRefusal(options.MasterKey, $"the new ledger '{paths.Database}'") is { } refusal)
        {
            throw new MasterKeyUnusableException(refusal);
        }

        if (exists && !options.ReadOnly)
        {
            RefuseUnreadable(paths);
        }

        LedgerFileStream? data = null, log = null;
        LiteDatabase? db = null;
        LedgerKeys? keys = null;
        try
        {
            if (options.ReadOnly)
            {
                data = new CopyOnWriteFileStream(paths.Database);
                log = new CopyOnWriteFileStream(paths.Log);
            }
            else
            {
                data = new DurableFileStream(paths.Database, FileShare.Read);
                log = new DurableFileStream(paths.Log, FileShare.Read);
            }

            try
            {
                db = new LiteDatabase(data, mapper: null, logStream: log);
                _ = db.GetCollectionNames().ToList();
            }
            catch (Exception ex) when (IsUnreadable(ex))
            {
                throw new LedgerCorruptException($"The ledger database '{paths.Database}' is unreadable (corrupt or truncated): {ex.Message}", ex);
            }

            keys = exists ? OpenExisting(db, options.MasterKey, paths, identity) : CreateNew(db, data, log, options, paths, identity);
            var store = new LedgerStore(db, data, log, paths, keys, identity, policy, window, options.TimeProvider, options.ReadOnly)
            {
                DataRetentionDays = options.DataRetentionDays,
            };
            string? migrationProblem = null;
            if (exists)
            {
                if (options.ReadOnly)
                {
                    SchemaMigrations.EnsureKnown(db);
                }
                else
                {
                    migrationProblem = Migrate(store);
                }
            }

            store.BudgetsSealed = SchemaMigrations.Version(db) >= SchemaMigrations.SealedBudgetsVersion;
            if (exists)
            {
                store.ReadOnlyReason = CheckHead(store, repair: !options.ReadOnly) ?? migrationProblem ?? FirstBrokenBudgetSeal(store);
                if (!options.ReadOnly && store.ReadOnlyReason is null)
                {
                    VerifyAtOpen(store, options.FullVerificationAtOpenMaxRecords);
                }
            }

            return store;
        }
        catch (LiteException ex)
        {
            keys?.Dispose();
            DisposeQuietly(db);
            log?.Dispose();
            data?.Dispose();
            throw new LedgerCorruptException($"The ledger database '{paths.Database}' is corrupt or truncated: {ex.Message}", ex);
        }
        catch
        {
            keys?.Dispose();
            db?.Dispose();
            log?.Dispose();
            data?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the files through a read-only view first: LiteDB, failing to read a file it was given to
    /// write, marks the file's header as damaged as it closes, which would change the evidence of the
    /// damage being reported. A ledger whose header, collection list or key record LiteDB cannot read
    /// is refused with the file as found (damage deeper in the file is found by the checks after).
    /// </summary>
    private static void RefuseUnreadable(LedgerPaths paths)
    {
        using var data = new CopyOnWriteFileStream(paths.Database);
        using var log = new CopyOnWriteFileStream(paths.Log);
        LiteDatabase? db = null;
        try
        {
            db = new LiteDatabase(data, mapper: null, logStream: log);
            _ = db.GetCollectionNames().ToList();
            _ = db.GetCollection(Collections.Meta).FindAll().Count();
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            throw new LedgerCorruptException($"The ledger database '{paths.Database}' is unreadable (corrupt or truncated): {ex.Message}; it was left as found.", ex);
        }
        finally
        {
            DisposeQuietly(db);
        }
    }

    /// <summary>What LiteDB throws reading a damaged or truncated file.</summary>
    private static bool IsUnreadable(Exception ex) => ex is LiteException or InvalidOperationException or IOException or ArgumentException
        or IndexOutOfRangeException or EndOfStreamException;

    private static void DisposeQuietly(LiteDatabase? db)
    {
        try
        {
            db?.Dispose();
        }
        catch (LiteException)
        {
            // Closing a damaged file may fail too; the corruption is what gets reported.
        }
    }

    /// <summary>
    /// A missing or empty database is only a new ledger when no head file says otherwise: a signed
    /// head names the last audit record, so one beyond the genesis (seq 0) proves records existed.
    /// </summary>
    private static void RefuseWhenHeadProvesALedger(LedgerPaths paths, NodeIdentity identity)
    {
        var state = File.Exists(paths.Database) ? EmptyOrNotRegular : "missing";
        SignedChainPoint? head;
        try
        {
            head = HeadFile.Read(paths.Head);
        }
        catch (FormatException ex)
        {
            throw new LedgerMissingException(
                $"The ledger database '{paths.Database}' is {state}, but a head file '{paths.Head}' exists ({ex.Message}): a ledger existed here. Restore it from a backup ('quantumedge restore --from DIR'); nothing was created or changed.");
        }

        if (head is not { } h || (h.Seq == 0 && h.IsValid(ChainPointKind.Checkpoint, identity)))
        {
            return;
        }

        throw new LedgerMissingException(
            $"The ledger database '{paths.Database}' is {state}, but the signed head file '{paths.Head}' records an audit chain up to seq {h.Seq}: the ledger was deleted or emptied. Restore it from a backup ('quantumedge restore --from DIR'); nothing was created or changed.");
    }

    private static LedgerKeys CreateNew(LiteDatabase db, LedgerFileStream data, LedgerFileStream log,
        LedgerOptions options, LedgerPaths paths, NodeIdentity identity)
    {
        var salt = RandomNumberGenerator.GetBytes(LedgerKeys.SaltSize);
        var keys = LedgerKeys.Derive(options.MasterKey!, salt, options.Kdf);
        var now = options.TimeProvider.GetUtcNow().UtcTicks;
        var genesis = new byte[AuditDocument.HashSize];
        db.BeginTrans();
        var meta = db.GetCollection(Collections.Meta);
        meta.Insert(new BsonDocument
        {
            ["_id"] = Collections.KdfDoc,
            ["alg"] = "argon2id",
            ["salt"] = salt,
            ["mem_kib"] = options.Kdf.MemoryKiB,
            ["passes"] = options.Kdf.Passes,
            ["check"] = keys.KeyCheck,
        });
        meta.Insert(new BsonDocument
        {
            ["_id"] = Collections.NodeDoc,
            ["fingerprint"] = identity.Fingerprint,
            ["public_key"] = identity.PublicKeyBytes,
        });
        var anchor = ChainPointDocument.ToDocument(SignedChainPoint.Sign(ChainPointKind.Anchor, 1, genesis, now, identity));
        anchor["_id"] = Collections.AnchorDoc;
        meta.Insert(anchor);
        SchemaMigrations.Migrate(db, store: null);
        db.Commit();
        db.Checkpoint();
        log.SyncIfDirty();
        data.SyncIfDirty();
        HeadFile.Write(paths.Head, SignedChainPoint.Sign(ChainPointKind.Checkpoint, 0, genesis, now, identity));
        return keys;
    }

    private static LedgerKeys OpenExisting(LiteDatabase db, string masterKey, LedgerPaths paths, NodeIdentity identity)
    {
        var meta = db.GetCollection(Collections.Meta);
        var kdf = meta.FindById(Collections.KdfDoc)
            ?? throw new LedgerCorruptException($"'{paths.Database}' is not a QuantumEdge ledger or is damaged: its key-derivation record is missing.");
        LedgerKeys keys;
        try
        {
            keys = LedgerKeys.Derive(masterKey, kdf["salt"].AsBinary, new KdfParameters(kdf["mem_kib"].AsInt32, kdf["passes"].AsInt32));
        }
        catch (Exception ex) when (ex is InvalidCastException or NullReferenceException or ArgumentException)
        {
            throw new LedgerCorruptException($"The key-derivation record of '{paths.Database}' is damaged.", ex);
        }

        var check = kdf["check"].IsBinary ? kdf["check"].AsBinary : [];
        if (!CryptographicOperations.FixedTimeEquals(check, keys.KeyCheck))
        {
            keys.Dispose();
            throw new MasterKeyMismatchException(
                $"MASTER_KEY does not match the key the ledger '{paths.Database}' was created with; the store was not modified."
                + MasterKeyEdges.MismatchHint(masterKey));
        }

        var node = meta.FindById(Collections.NodeDoc);
        if (node is not null && node["fingerprint"].AsString != identity.Fingerprint)
        {
            keys.Dispose();
            throw new LedgerException(
                $"The node key (fingerprint {identity.Fingerprint}) is not the key that signed this ledger (fingerprint {node["fingerprint"].AsString}); restore the original quantum_private.pem.");
        }

        return keys;
    }

    /// <summary>Runs pending migrations; returns why the store must stay read-only when one refused (tampering).</summary>
    private static string? Migrate(LedgerStore store)
    {
        store.Db.BeginTrans();
        try
        {
            SchemaMigrations.Migrate(store.Db, store);
            store.Db.Commit();
        }
        catch (LedgerTamperedException ex)
        {
            store.Db.Rollback();
            return ex.Message;
        }
        catch
        {
            store.Db.Rollback();
            throw;
        }

        store.Db.Checkpoint();
        store.Log.SyncIfDirty();
        store.Data.SyncIfDirty();
        return null;
    }

    /// <summary>
    /// The tail check above catches a cut or forged tail; a change in the middle of the chain needs a
    /// full verification: now when the chain is short enough, else in the background.
    /// </summary>
    private static void VerifyAtOpen(LedgerStore store, long maxRecords)
    {
        var firstSeq = store.ReadAnchor()?.Seq ?? 1;
        if (store.LastSeq - firstSeq + 1 > maxRecords)
        {
            store.BackgroundVerificationDue = true;
            return;
        }

        var result = new ChainVerifier(store).Verify();
        if (!result.IsValid)
        {
            store.ReadOnlyReason = $"start-up verification found tampering: {result}";
        }
    }

    /// <summary>Budget rows are few (one per user and day, pruned after DataRetentionDays): every MAC is checked at open.</summary>
    private static string? FirstBrokenBudgetSeal(LedgerStore store)
    {
        if (!store.BudgetsSealed)
        {
            return null;
        }

        foreach (var doc in store.Budgets.FindAll())
        {
            if (store.BudgetSeal.Open(doc) is null)
            {
                return $"{BudgetSeal.Describe(doc)} does not match its MAC (its spend was changed outside the node)";
            }
        }

        return null;
    }

    /// <summary>
    /// Cheap tail check at open. Returns why the store must stay read-only, or null. A head that
    /// lags the last signed checkpoint (crash between commit and head rewrite) is repaired.
    /// </summary>
    private static string? CheckHead(LedgerStore store, bool repair)
    {
        SignedChainPoint? head;
        try
        {
            head = HeadFile.Read(store.Paths.Head);
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }

        var lastCheckpoint = store.LastCheckpointDocument() is { } cpDoc ? ChainPointDocument.FromDocument(cpDoc) : (SignedChainPoint?)null;
        var anchor = store.ReadAnchor();
        var firstSeq = anchor?.Seq ?? 1;
        if (head is null)
        {
            if (store.LastSeq < firstSeq && lastCheckpoint is null)
            {
                if (!repair)
                {
                    return null;
                }

                // Crash right after creation, before the first head was written.
                HeadFile.Write(store.Paths.Head, SignedChainPoint.Sign(ChainPointKind.Checkpoint, store.LastSeq, store.LastHash,
                    store.Now().UtcTicks, store.Identity));
                return null;
            }

            return $"the signed head file '{store.Paths.Head}' is missing";
        }

        var h = head.Value;
        if (!h.IsValid(ChainPointKind.Checkpoint, store.Identity))
        {
            return "the head file's signature is invalid";
        }

        if (h.Seq > store.LastSeq)
        {
            return $"the signed head names audit record {h.Seq} but the chain ends at {store.LastSeq} (records deleted)";
        }

        if (lastCheckpoint is not { } cp || cp.Seq != store.LastSeq)
        {
            return store.LastSeq < firstSeq ? null : $"audit records after seq {lastCheckpoint?.Seq ?? 0} are not covered by a signed checkpoint";
        }

        if (!cp.IsValid(ChainPointKind.Checkpoint, store.Identity) || !cp.Hash.AsSpan().SequenceEqual(store.LastHash))
        {
            return $"the last checkpoint (seq {cp.Seq}) does not match the last audit record";
        }

        if (h.Seq < cp.Seq && repair)
        {
            HeadFile.Write(store.Paths.Head, cp);
        }

        return null;
    }
}
