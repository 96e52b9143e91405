using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.LiteDb;

namespace QuantumEdge.Ledger.Benchmarks.Layout;

/// <summary>
/// What storing audit records costs LiteDB in each <see cref="RecordLayout"/>: records built by the
/// shipped <see cref="AuditDocument.Create"/> (encrypted fields as blobs of the cipher's sizes), inserted
/// in groups inside one transaction, committed and checkpointed as the ledger's writer does, without the
/// fsyncs (the same per commit in every layout). Single-threaded, so process CPU time is this loop's.
/// </summary>
internal static class RecordLayoutRun
{
    private const int WarmUpGroups = 200;

    public static RecordLayoutResult Run(string root, RecordLayout layout, int groupSize, int records)
    {
        var path = Path.Combine(root, $"qe-layout-{Guid.NewGuid():N}.db");
        try
        {
            using var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
            var audit = db.GetCollection(Collections.Audit);
            var source = new RecordSource();
            for (var i = 0; i < WarmUpGroups; i++)
            {
                WriteGroup(db, audit, source, layout, groupSize);
            }

            var cpu = Environment.CpuUsage.TotalTime;
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var written = 0;
            while (written < records)
            {
                WriteGroup(db, audit, source, layout, groupSize);
                written += groupSize;
            }

            return new RecordLayoutResult(layout, groupSize, written, Environment.CpuUsage.TotalTime - cpu,
                GC.GetAllocatedBytesForCurrentThread() - allocated, new FileInfo(path).Length);
        }
        finally
        {
            File.Delete(path);
            File.Delete(Path.ChangeExtension(path, null) + "-log.db");
        }
    }

    private static void WriteGroup(LiteDatabase db, ILiteCollection<BsonDocument> audit, RecordSource source, RecordLayout layout, int groupSize)
    {
        db.BeginTrans();
        switch (layout)
        {
            case RecordLayout.DocumentPerRecord:
                for (var i = 0; i < groupSize; i++)
                {
                    audit.Insert(source.Next());
                }

                break;
            case RecordLayout.ArrayPerGroup:
                var array = new BsonArray();
                var first = source.NextSeq;
                for (var i = 0; i < groupSize; i++)
                {
                    array.Add(source.Next());
                }

                audit.Insert(new BsonDocument { ["_id"] = first, ["r"] = array });
                break;
            case RecordLayout.BinaryPerGroup:
                using (var bytes = new MemoryStream())
                {
                    var start = source.NextSeq;
                    for (var i = 0; i < groupSize; i++)
                    {
                        bytes.Write(BsonSerializer.Serialize(source.Next()));
                    }

                    audit.Insert(new BsonDocument { ["_id"] = start, ["b"] = bytes.ToArray() });
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(layout), layout, null);
        }

        db.Commit();
        db.Checkpoint();
    }

    /// <summary>Chained records shaped like a public request's outcome record.</summary>
    private sealed class RecordSource
    {
        private const string PromptHmac = "3f9c0b1e8d2a47c6b5e4f3a2918d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807";
        private readonly CanonicalEncoder _encoder = new();
        private readonly SharedBsonValues _shared = new();
        private readonly byte[] _userHash = new byte[32];
        private readonly byte[] _user = new byte[12 + 12 + 16];
        private readonly byte[] _department = new byte[12 + 10 + 16];
        private byte[] _prevHash = new byte[AuditDocument.HashSize];

        public RecordSource()
        {
            Random.Shared.NextBytes(_userHash);
            Random.Shared.NextBytes(_user);
            Random.Shared.NextBytes(_department);
        }

        public long NextSeq { get; private set; } = 1;

        public BsonDocument Next()
        {
            var seq = NextSeq++;
            // The entry's plain user and department are not stored: the encrypted blobs below are.
            var entry = PublicOutcomeEntry.Create($"run-{seq:x8}-4f1c9e2a7b3d", "clinician-00", PromptHmac);
            var doc = AuditDocument.Create(seq, DateTimeOffset.UtcNow.UtcTicks, entry, _userHash, _user, _department, _prevHash, _encoder, _shared);
            _prevHash = AuditDocument.Hash(doc);
            return doc;
        }
    }
}

/// <summary>One layout pass: records stored, the loop's CPU time and allocation, the data file's size.</summary>
internal readonly record struct RecordLayoutResult(RecordLayout Layout, int GroupSize, int Records, TimeSpan Cpu, long AllocatedBytes, long FileBytes)
{
    public double CpuMicrosecondsPerRecord => Cpu.TotalMicroseconds / Math.Max(1, Records);

    public double BytesPerRecord => AllocatedBytes / (double)Math.Max(1, Records);

    public double FileBytesPerRecord => FileBytes / (double)Math.Max(1, Records);
}
