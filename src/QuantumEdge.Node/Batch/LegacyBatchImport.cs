using System.Buffers;
using System.Text.Json;
using QuantumEdge.Ledger.Batches;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// Moves batches kept by earlier builds under <c>&lt;data_dir&gt;/batch/batches/&lt;id&gt;</c>
/// (<c>batch.json</c> and a <c>results.jsonl</c> log of <c>{"i":index,"ok":bool,"line":{entry}}</c>
/// records) into the ledger on start: the batch record (its owner then keyed and encrypted), each
/// recorded line with its entry copied to the batch's entries file, then the old directory is
/// removed. Rerunning after a crash part way is safe: a batch already in the ledger is not created
/// again, a line already final is not recorded again. A torn last record (a crash while it was
/// written) is left out, as the old build did: that line runs again.
/// </summary>
internal static class LegacyBatchImport
{
    public static async Task RunAsync(string root, IBatchStateStore states, string holder, TimeSpan lease, string entriesDirectory, ILogger logger)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var path = Path.Combine(directory, "batch.json");
            if (!File.Exists(path))
            {
                continue;
            }

            StoredBatch stored;
            try
            {
                stored = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(path).ConfigureAwait(false), BatchJsonContext.Default.StoredBatch)
                    ?? throw new JsonException("the file holds null");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path} (a batch kept by an earlier build) cannot be read, so it cannot be moved into the ledger: {e.Message}. Move the directory away to start without it.", e);
            }

            if (!BatchIds.IsBatchId(stored.Batch.Id))
            {
                throw new InvalidDataException($"{path} names batch id '{stored.Batch.Id}', which is not a batch id; move the directory away to start without it.");
            }

            if (await states.GetAsync(stored.Batch.Id).ConfigureAwait(false) is null)
            {
                await states.CreateAsync(BatchStateRecords.ToState(stored)).ConfigureAwait(false);
            }

            var results = Path.Combine(directory, "results.jsonl");
            var imported = 0;
            if (File.Exists(results) && await states.TryLeaseAsync(stored.Batch.Id, holder, lease).ConfigureAwait(false))
            {
                using var entries = BatchEntriesFile.Open(BatchEntriesFile.PathFor(entriesDirectory, stored.Batch.Id));
                foreach (var (index, ok, entry) in ReadRecords(results))
                {
                    var at = entries.Append(entry.Span);
                    var line = new BatchLineState
                    {
                        Index = index, Status = ok ? BatchLineStatuses.Done : BatchLineStatuses.Failed, Attempt = 1, RequestId = BatchIds.LineRequestId(stored.Batch.Id, index),
                        EntryOffset = at.Offset, EntryLength = at.Length, EntrySha256 = at.Sha256,
                    };
                    imported += await states.RecordLineAsync(stored.Batch.Id, holder, line).ConfigureAwait(false) ? 1 : 0;
                }

                await states.ReleaseLeaseAsync(stored.Batch.Id, holder).ConfigureAwait(false);
            }

            Directory.Delete(directory, recursive: true);
            logger.LogInformation("batch {Batch} ({Status}) moved from {Directory} into the ledger with {Lines} recorded lines", stored.Batch.Id, stored.Batch.Status, directory, imported);
        }

        if (!Directory.EnumerateFileSystemEntries(root).Any())
        {
            Directory.Delete(root);
        }
    }

    /// <summary>Every complete (newline-terminated) record of an old results log, in log order.</summary>
    internal static List<(int Index, bool Ok, ReadOnlyMemory<byte> Entry)> ReadRecords(string path)
    {
        var records = new List<(int, bool, ReadOnlyMemory<byte>)>();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var pending = new ArrayBufferWriter<byte>();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = file.Read(chunk)) > 0)
        {
            var span = chunk.AsSpan(0, read);
            int end;
            while ((end = span.IndexOf((byte)'\n')) >= 0)
            {
                pending.Write(span[..end]);
                using (var doc = JsonDocument.Parse(pending.WrittenMemory))
                {
                    records.Add((doc.RootElement.GetProperty("i").GetInt32(), doc.RootElement.GetProperty("ok").GetBoolean(),
                        System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(doc.RootElement.GetProperty("line")).ToArray()));
                }

                pending.ResetWrittenCount();
                span = span[(end + 1)..];
            }

            pending.Write(span);
        }

        return records;
    }
}
