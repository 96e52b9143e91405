using System.Text.Json;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Batches;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Node.Batch;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Batch;

/// <summary>
/// A batch's state lives in the ledger: a line charged before a crash cut it off from its state write
/// is charged once, and batches kept in files by earlier builds are moved into the ledger on start.
/// </summary>
public sealed class BatchLedgerStateTests
{
    private const string Owner = "dr.ledger-state";

    private static TestNode.Sim Sim => new("secure", TestNode.AllLevels);

    [Fact]
    public async Task A_line_charged_before_a_crash_between_its_charge_and_its_state_write_is_charged_once()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "qe-bstate-" + Guid.NewGuid().ToString("N"));
        string fileId;
        Gateway.Configuration.NodeConfiguration config;
        await using (var first = await TestNode.StartAsync([Sim], dataDir: dataDir))
        {
            first.KeepDataDirectory = true;
            fileId = await BatchCalls.UploadOkAsync(first.Http, first.Token(sub: Owner), BatchCalls.Lines(3));
            config = first.Node.Config;
        }

        // What a crash leaves after line 0 was started and charged, before its answer was recorded.
        var batchId = BatchIds.NewBatchId();
        await using (var ledger = LedgerFactory.Open(config))
        {
            var (seq, _) = await ledger.AuditHeadAsync();
            await ledger.BatchStates.CreateAsync(BatchStateRecords.ToState(Stored(batchId, fileId, 3, BatchStatuses.InProgress, seq)));
            Assert.True(await ledger.BatchStates.TryLeaseAsync(batchId, config.Node.Id, TimeSpan.FromMinutes(1)));
            Assert.True(await ledger.BatchStates.RecordLineAsync(batchId, config.Node.Id,
                new BatchLineState { Index = 0, Status = BatchLineStatuses.Running, Attempt = 1, RequestId = BatchIds.LineRequestId(batchId, 0) }));
            var charge = await ledger.ChargeAsync(new ChargeRequest
            {
                UserId = Owner, Department = "emergency", Role = "doctor", RequestId = BatchIds.LineRequestId(batchId, 0),
                Classification = "restricted", Model = "clinical-7b", PromptHmac = "00",
            });
            Assert.True(charge.Admitted);
        }

        await using var second = await TestNode.StartAsync([Sim], dataDir: dataDir);
        var token = second.Token(sub: Owner);
        var done = await BatchCalls.WaitFinalAsync(second.Http, token, batchId);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(3, done.GetProperty("request_counts").GetProperty("completed").GetInt32());
        Assert.Equal(3, (await BatchCalls.ContentAsync(second.Http, token, done.GetProperty("output_file_id").GetString()!)).Count);
        var records = await second.Node.Ledger.ReadAuditAsync(0, 10_000);
        var admitted = records.Where(r => r.Entry.RequestId.StartsWith(batchId, StringComparison.Ordinal) && r.Entry.Decision == AuditDecisions.Admitted)
            .GroupBy(r => r.Entry.RequestId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, admitted.Count);
        Assert.All(admitted, p => Assert.True(p.Value == 1, $"{p.Key} was charged {p.Value} times"));
        Assert.Equal(3, (await second.Node.Ledger.GetBudgetAsync(Owner)).State.Queries);
        var lines = await second.Node.Ledger.BatchStates.ReadLinesAsync(batchId);
        Assert.Equal([2, 1, 1], lines.Select(l => l.Attempt));
        Assert.All(lines, l => Assert.Equal(BatchLineStatuses.Done, l.Status));
    }

    [Fact]
    public async Task A_batch_kept_in_files_by_an_earlier_build_is_moved_into_the_ledger_and_finishes_without_rerunning_its_recorded_lines()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "qe-bstate-" + Guid.NewGuid().ToString("N"));
        string fileId;
        await using (var first = await TestNode.StartAsync([Sim], dataDir: dataDir))
        {
            first.KeepDataDirectory = true;
            fileId = await BatchCalls.UploadOkAsync(first.Http, first.Token(sub: Owner), BatchCalls.Lines(3));
        }

        // The old layout: batch.json and a results log with line 1 answered and a torn record (a crash mid-write) after it.
        var batchId = BatchIds.NewBatchId();
        var legacy = Path.Combine(dataDir, "batch", "batches", batchId);
        Directory.CreateDirectory(legacy);
        await File.WriteAllBytesAsync(Path.Combine(legacy, "batch.json"),
            JsonSerializer.SerializeToUtf8Bytes(Stored(batchId, fileId, 3, BatchStatuses.InProgress, 0), BatchJsonContext.Default.StoredBatch));
        var answered = $$$"""{"id":"{{{BatchIds.OutputLineId(batchId, 1)}}}","custom_id":"req-2","response":{"status_code":200,"request_id":"old","body":{"legacy":true}},"error":null}""";
        await File.WriteAllTextAsync(Path.Combine(legacy, "results.jsonl"), $$"""{"i":1,"ok":true,"line":{{answered}}}""" + "\n" + """{"i":0,"ok":tr""");

        await using var second = await TestNode.StartAsync([Sim], dataDir: dataDir);
        var token = second.Token(sub: Owner);
        var done = await BatchCalls.WaitFinalAsync(second.Http, token, batchId);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(3, done.GetProperty("request_counts").GetProperty("completed").GetInt32());
        var output = await BatchCalls.ContentAsync(second.Http, token, done.GetProperty("output_file_id").GetString()!);
        Assert.Equal(["req-1", "req-2", "req-3"], output.Select(l => l.GetProperty("custom_id").GetString()!).Order());
        Assert.True(output.Single(l => l.GetProperty("custom_id").GetString() == "req-2").GetProperty("response").GetProperty("body").GetProperty("legacy").GetBoolean());
        Assert.False(Directory.Exists(Path.Combine(dataDir, "batch", "batches")));
        // Only the two lines the old log had no whole record of were run (and charged).
        Assert.Equal(2, (await second.Node.Ledger.ReadAuditAsync(0, 10_000)).Count(r => r.Entry.RequestId.StartsWith(batchId, StringComparison.Ordinal)
            && r.Entry.EventType == AuditEventType.Request && r.Entry.Decision == AuditDecisions.Admitted));
    }

    private static StoredBatch Stored(string batchId, string fileId, int lines, string status, long auditSeq) => new()
    {
        Batch = new BatchObject
        {
            Id = batchId,
            Endpoint = "/v1/chat/completions",
            InputFileId = fileId,
            Status = status,
            CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(24).ToUnixTimeSeconds(),
            RequestCounts = new BatchRequestCounts(lines, 0, 0),
            Metadata = new Dictionary<string, string> { ["data_classification"] = "phi" },
        },
        Owner = new Node.Batch.BatchOwner(Owner, "doctor", "emergency"),
        Classification = "phi",
        AuditSeqAtStart = auditSeq,
    };
}
