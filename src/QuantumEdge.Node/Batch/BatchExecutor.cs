using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Batch.Scheduling;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Emergency;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// Runs batches: each line goes through the same <see cref="InferencePipeline"/> and request gates
/// as an interactive request of the batch's creator (classification failing closed, the content
/// detector, the privacy charge, the audit record), on the backend the <see cref="BatchScheduler"/>
/// picks, at most <c>batch.max_in_flight</c> lines at once across all batches, nearest deadline first.
/// </summary>
/// <remarks>
/// Durability: a batch's status is replaced atomically in its <c>batch.json</c>; a finished line is
/// appended and fsync'd to its results log before it counts, so after a crash a line is either
/// recorded (never run again, never written twice to the output) or run again. A line's privacy
/// charge carries a deterministic request id (batch id and line index); on start, the executor reads
/// the audit trail from the seq recorded when the batch was created and takes over any charge of a
/// line it has no result for (and no refund of), so a line interrupted between its charge and its
/// result is charged once.
/// </remarks>
internal sealed class BatchExecutor : BackgroundService
{
    private const int MaxPendingOffered = 1024;
    private const int MaxRetries = 3;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentDictionary<string, BatchRun> _batches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _lines = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly NodeConfiguration _config;
    private readonly BatchFileStore _files;
    private readonly InferencePipeline _pipeline;
    private readonly IReadOnlyList<IRequestGate> _gates;
    private readonly IPrivacyLedger _ledger;
    private readonly BatchScheduler _scheduler;
    private readonly BatchMetrics _metrics;
    private readonly RolePermissions _roles;
    private readonly EmergencyControls? _emergency;
    private readonly TimeProvider _time;
    private readonly ILogger<BatchExecutor> _logger;
    private int _inFlight;

    public BatchExecutor(NodeConfiguration config, BatchFileStore files, InferencePipeline pipeline, IReadOnlyList<IRequestGate> gates, IPrivacyLedger ledger,
        BatchScheduler scheduler, BatchMetrics metrics, RolePermissions roles, EmergencyControls? emergency, TimeProvider time, ILogger<BatchExecutor> logger)
    {
        _config = config;
        _files = files;
        _pipeline = pipeline;
        _gates = gates;
        _ledger = ledger;
        _scheduler = scheduler;
        _metrics = metrics;
        _roles = roles;
        _emergency = emergency;
        _time = time;
        _logger = logger;
        Root = Path.Combine(config.Node.DataDir, "batch", "batches");
        FileModes.CreatePrivateDirectory(Root);
        foreach (var directory in Directory.EnumerateDirectories(Root))
        {
            if (BatchRun.Load(directory) is { } run)
            {
                _batches[run.Id] = run;
            }
        }

        _metrics.Update(_batches.Values);
    }

    public string Root { get; }

    public IEnumerable<BatchRun> All => _batches.Values;

    public BatchRun? Find(string id) => BatchIds.IsBatchId(id) && _batches.TryGetValue(id, out var run) ? run : null;

    /// <summary>The unfinished batch reading <paramref name="fileId"/>, if any.</summary>
    public string? ActiveBatchReading(string fileId) =>
        _batches.Values.FirstOrDefault(r => !r.Terminal && r.Stored.Batch.InputFileId == fileId)?.Id;

    /// <summary>Stores a new batch (durably, before it is acknowledged) and wakes the executor.</summary>
    public async Task<BatchObject> CreateAsync(BatchOwner owner, StoredFile input, string endpoint, IReadOnlyDictionary<string, string>? metadata, string? classification)
    {
        var (seq, _) = await _ledger.AuditHeadAsync().ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var batch = new BatchObject
        {
            Id = BatchIds.NewBatchId(),
            Endpoint = endpoint,
            InputFileId = input.Id,
            Status = BatchStatuses.Validating,
            CreatedAt = now.ToUnixTimeSeconds(),
            ExpiresAt = now.AddHours(24).ToUnixTimeSeconds(),
            RequestCounts = new BatchRequestCounts(input.Lines, 0, 0),
            Metadata = metadata,
        };
        var run = BatchRun.Create(Root, new StoredBatch { Batch = batch, Owner = owner, Classification = classification, AuditSeqAtStart = seq });
        _batches[run.Id] = run;
        Changed();
        return batch;
    }

    /// <summary>Moves an unfinished batch to <c>cancelling</c>; it becomes <c>cancelled</c> once its running lines end.</summary>
    public BatchObject Cancel(BatchRun run)
    {
        lock (run)
        {
            if (run.Status is BatchStatuses.Validating or BatchStatuses.InProgress)
            {
                run.Save(run.Stored with { Batch = run.Stored.Batch with { Status = BatchStatuses.Cancelling, CancellingAt = _time.GetUtcNow().ToUnixTimeSeconds() } });
            }

            Changed();
            return run.View();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await StepAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogError("batch executor step failed: {ExceptionType}: {Message}", e.GetType().Name, e.Message);
                }

                // A periodic look too: the scheduler may hold lines back while interactive load is high, and windows expire.
                await _wake.WaitAsync(Tick, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Lines still running were cancelled with the stopping token; they leave no result and run again on restart.
            await Task.WhenAll(_lines.Keys).ConfigureAwait(false);
            foreach (var run in _batches.Values)
            {
                lock (run)
                {
                    run.Dispose();
                }
            }
        }
    }

    private void Changed()
    {
        _metrics.Update(_batches.Values);
        _wake.Release();
    }

    private async Task StepAsync(CancellationToken stopping)
    {
        var now = _time.GetUtcNow();
        var demands = new List<BatchLineDemand>();
        foreach (var run in _batches.Values.Where(r => !r.Terminal).OrderBy(r => r.Deadline))
        {
            if (run.Lines is null)
            {
                await BeginAsync(run, stopping).ConfigureAwait(false);
            }

            lock (run)
            {
                if (run.Lines is null || run.Terminal)
                {
                    continue;
                }

                var expired = now >= run.Deadline;
                if (run.Status is BatchStatuses.Cancelling || expired || run.Status is BatchStatuses.Finalizing || run.Unfinished == 0)
                {
                    if (run.Running.Count == 0)
                    {
                        Finalize(run, run.Status == BatchStatuses.Cancelling ? BatchStatuses.Cancelled : expired && run.Unfinished > 0 ? BatchStatuses.Expired : BatchStatuses.Completed);
                    }

                    continue;
                }

                if (_emergency?.Refusal(_roles.Allows(run.Stored.Owner.Role, RolePermissions.All), inference: true) is not null)
                {
                    continue; // halted, or locked down to administrators: the batch waits.
                }

                for (var i = 0; i < run.Lines.Length && demands.Count < MaxPendingOffered; i++)
                {
                    if (!run.Finished[i] && !run.Running.Contains(i) && !(run.Retries.TryGetValue(i, out var retry) && retry.NotBefore > now))
                    {
                        var line = run.Lines[i];
                        demands.Add(new BatchLineDemand(BatchIds.LineRequestId(run.Id, i), line.Model, line.PrefixKey, line.EstimatedTokens, run.Deadline));
                    }
                }
            }
        }

        if (demands.Count == 0 || Volatile.Read(ref _inFlight) >= _config.Batch.MaxInFlight)
        {
            return;
        }

        foreach (var dispatch in _scheduler.NextDispatches(demands, now))
        {
            if (Volatile.Read(ref _inFlight) >= _config.Batch.MaxInFlight)
            {
                break;
            }

            if (!TryParseLineId(dispatch.LineId, out var run, out var index))
            {
                continue;
            }

            lock (run)
            {
                if (run.Terminal || run.Status != BatchStatuses.InProgress || run.Finished[index] || !run.Running.Add(index))
                {
                    continue;
                }
            }

            Interlocked.Increment(ref _inFlight);
            var task = RunLineAsync(run, index, dispatch.BackendId, stopping);
            _lines[task] = 0;
            _ = task.ContinueWith(t => _lines.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        _metrics.Update(_batches.Values);
    }

    private bool TryParseLineId(string lineId, out BatchRun run, out int index)
    {
        var cut = lineId.LastIndexOf("-line-", StringComparison.Ordinal);
        run = null!;
        index = -1;
        return cut > 0 && _batches.TryGetValue(lineId[..cut], out run!) && int.TryParse(lineId.AsSpan(cut + 6), out index)
            && run.Lines is { } lines && index >= 0 && index < lines.Length;
    }

    /// <summary>Indexes the input (checking its checksum), opens the results log, finds earlier charges; validating → in_progress.</summary>
    private async Task BeginAsync(BatchRun run, CancellationToken stopping)
    {
        var input = _files.Find(run.Stored.Batch.InputFileId);
        IndexedLine[] lines;
        try
        {
            if (input is null)
            {
                throw new BatchInputException(0, $"input file {run.Stored.Batch.InputFileId} no longer exists");
            }

            lines = await IndexAsync(input, stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BatchInputException or GatewayError or IOException)
        {
            lock (run)
            {
                var now = _time.GetUtcNow().ToUnixTimeSeconds();
                run.Save(run.Stored with
                {
                    Batch = run.Stored.Batch with
                    {
                        Status = BatchStatuses.Failed, FailedAt = now,
                        Errors = new BatchErrors("list", [new BatchErrorDatum(e is GatewayError g ? g.Code ?? "invalid_file" : "invalid_file", e.Message, "input_file_id",
                            e is BatchInputException { Line: > 0 } b ? b.Line : null)]),
                    },
                });
            }

            Changed();
            return;
        }

        var handle = File.OpenHandle(Path.Combine(_files.Directory, input.Id + ".jsonl"), FileMode.Open, FileAccess.Read, FileShare.Read);
        await FindPriorChargesAsync(run, stopping).ConfigureAwait(false);
        lock (run)
        {
            run.Begin(lines, handle);
            if (run.Status == BatchStatuses.Validating)
            {
                run.Save(run.Stored with { Batch = run.Stored.Batch with { Status = BatchStatuses.InProgress, InProgressAt = _time.GetUtcNow().ToUnixTimeSeconds() } });
            }
        }

        Changed();
    }

    private async Task<IndexedLine[]> IndexAsync(StoredFile input, CancellationToken stopping)
    {
        var lines = new List<IndexedLine>(input.Lines);
        var models = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var content = await _files.OpenVerifiedAsync(input, stopping).ConfigureAwait(false);
        await JsonLines.ReadAsync(content, BatchComposition.MaxLineBytes(_config), (number, offset, bytes) =>
        {
            var line = BatchInputLine.Parse(number, bytes);
            var request = InferenceRequest.Parse(line.Body, line.Route);
            var model = models.TryGetValue(request.Model, out var known) ? known : models[request.Model] = request.Model;
            lines.Add(new IndexedLine(offset, bytes.Length, number, model, request.PrefixFingerprint, request.EstimatedPromptTokens + request.EstimatedOutputTokens, line.Route));
            return ValueTask.CompletedTask;
        }, stopping).ConfigureAwait(false);
        return [.. lines];
    }

    /// <summary>Charges of this batch's lines since the batch was created that were not refunded: request id → (seq, ε).</summary>
    private async Task FindPriorChargesAsync(BatchRun run, CancellationToken stopping)
    {
        var prefix = run.Id + "-line-";
        var charges = new Dictionary<string, (long Seq, double Epsilon)>(StringComparer.Ordinal);
        var refunded = new HashSet<long>();
        var after = run.Stored.AuditSeqAtStart;
        while (true)
        {
            var page = await _ledger.ReadAuditAsync(after, 1000, stopping).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var record in page)
            {
                var entry = record.Entry;
                if (entry.EventType == AuditEventType.Request && entry.RequestId.StartsWith(prefix, StringComparison.Ordinal))
                {
                    if (entry.Decision == AuditDecisions.Admitted && entry.EpsilonCharged > 0)
                    {
                        charges[entry.RequestId] = (record.Seq, entry.EpsilonCharged);
                    }
                    else if (entry.Decision == AuditDecisions.Refunded && entry.RelatedSeq is { } related)
                    {
                        refunded.Add(related);
                    }
                }
            }

            after = page[^1].Seq;
        }

        lock (run)
        {
            foreach (var (requestId, charge) in charges)
            {
                if (!refunded.Contains(charge.Seq))
                {
                    run.PriorCharges[requestId] = charge;
                }
            }
        }
    }

    private async Task RunLineAsync(BatchRun run, int index, string backendId, CancellationToken stopping)
    {
        await Task.Yield();
        var lineId = BatchIds.LineRequestId(run.Id, index);
        try
        {
            var result = await ExecuteLineAsync(run, index, backendId, stopping).ConfigureAwait(false);
            lock (run)
            {
                if (result is { } r)
                {
                    run.Finish(index, r.Ok, r.Entry);
                }
                else
                {
                    run.Running.Remove(index);
                }
            }
        }
        catch (Exception e)
        {
            // The line stays unfinished and runs again (its charge, if made, is taken over then).
            _logger.LogError("batch {Batch} line {Index} failed to run: {ExceptionType}", run.Id, index, e.GetType().Name);
            lock (run)
            {
                run.Running.Remove(index);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _scheduler.Completed(lineId);
            Changed();
        }
    }

    /// <summary>Runs one line through the pipeline; null when the node is stopping and the line must run again later.</summary>
    private async Task<(bool Ok, byte[] Entry)?> ExecuteLineAsync(BatchRun run, int index, string backendId, CancellationToken stopping)
    {
        StoredBatch stored;
        byte[] raw;
        (long Seq, double Epsilon)? prior;
        lock (run)
        {
            stored = run.Stored;
            raw = run.ReadLine(index);
            prior = run.PriorCharges.Remove(BatchIds.LineRequestId(run.Id, index), out var p) ? p : null;
        }

        var line = BatchInputLine.Parse(index + 1, raw);
        var owner = stored.Owner;
        var record = new RequestRecord
        {
            RequestId = BatchIds.LineRequestId(run.Id, index),
            Route = line.Route,
            Caller = new CallerIdentity(owner.Subject, owner.Role, owner.Department ?? "", DateTimeOffset.MaxValue),
            PriorChargeSeq = prior?.Seq,
            PriorEpsilon = prior?.Epsilon ?? 0,
        };
        var client = new BatchLineClient(stopping);
        var started = Stopwatch.GetTimestamp();
        GatewayError? error;
        try
        {
            error = await _pipeline.RunAsync(new InferenceCall
            {
                Caller = record.Caller,
                Request = InferenceRequest.Parse(line.Body, line.Route),
                Classification = line.Classification ?? stored.Classification,
                PinnedBackend = backendId.Length > 0 ? backendId : null,
            }, record, client).ConfigureAwait(false);
        }
        catch (GatewayError e)
        {
            _pipeline.Refused(record, e.Code ?? e.Type);
            record.Status = e.Status;
            error = e;
        }

        if (stopping.IsCancellationRequested)
        {
            // No result and no outcome record: the line runs again on restart and takes over its charge.
            return null;
        }

        record.LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (record.Status == 0)
        {
            record.Status = client.Head?.Status ?? 500;
        }

        foreach (var gate in _gates)
        {
            await gate.CompleteAsync(record).ConfigureAwait(false);
        }

        if (error is { Status: 502 or 503 or 504 } && error.Code != "no_permitted_backend" && TryPostpone(run, index))
        {
            // A transient failure (no healthy backend, a timeout, the ledger briefly away): the line runs again later.
            return null;
        }

        return BatchOutputEntry.Build(BatchIds.OutputLineId(run.Id, index), line.CustomId, record, error, client);
    }

    /// <summary>Schedules another attempt after a back-off (2, 4, 8 s), unless the line had its attempts.</summary>
    private bool TryPostpone(BatchRun run, int index)
    {
        lock (run)
        {
            var attempts = run.Retries.GetValueOrDefault(index).Attempts + 1;
            if (attempts > MaxRetries)
            {
                return false;
            }

            run.Retries[index] = (attempts, _time.GetUtcNow().AddSeconds(1 << attempts));
            return true;
        }
    }

    /// <summary>Writes the output and error files and moves the batch to its final status.</summary>
    private void Finalize(BatchRun run, string status)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (run.Status != BatchStatuses.Finalizing && status == BatchStatuses.Completed)
        {
            run.Save(run.Stored with { Batch = run.Stored.Batch with { Status = BatchStatuses.Finalizing, FinalizingAt = now } });
        }

        var okLines = run.Completed;
        var failedLines = run.Failed + (status == BatchStatuses.Expired ? run.Unfinished : 0);
        var owner = run.Stored.Owner.Subject;
        var outputId = okLines == 0 ? null : Generate(run, "output", owner, okLines, s => CopyEntries(run, true, s));
        var errorId = failedLines == 0 ? null : Generate(run, "errors", owner, failedLines, s =>
        {
            CopyEntries(run, false, s);
            if (status == BatchStatuses.Expired)
            {
                // The lines the window closed on, as the API reports them.
                for (var i = 0; i < run.Lines!.Length; i++)
                {
                    if (!run.Finished[i])
                    {
                        s.Write(BatchOutputEntry.Expired(BatchIds.OutputLineId(run.Id, i), BatchInputLine.Parse(i + 1, run.ReadLine(i)).CustomId));
                        s.Write("\n"u8);
                    }
                }
            }
        });
        var batch = run.Stored.Batch with
        {
            Status = status,
            OutputFileId = outputId,
            ErrorFileId = errorId,
            RequestCounts = new BatchRequestCounts(run.Lines!.Length, okLines, failedLines),
            CompletedAt = status == BatchStatuses.Completed ? now : null,
            ExpiredAt = status == BatchStatuses.Expired ? now : null,
            CancelledAt = status == BatchStatuses.Cancelled ? now : null,
        };
        run.Save(run.Stored with { Batch = batch });
        run.Dispose();
        _logger.LogInformation("batch {Batch} {Status}: {Completed} completed, {Failed} failed of {Total}", run.Id, status, okLines, failedLines, run.Lines.Length);
        Changed();
    }

    private string Generate(BatchRun run, string kind, string owner, int lines, Action<Stream> write) =>
        _files.AddGenerated(BatchIds.GeneratedFileId(run.Id, kind), owner, $"{run.Id}_{kind}.jsonl", "batch_output", lines, write).Id;

    private static void CopyEntries(BatchRun run, bool ok, Stream output) =>
        BatchResultsLog.ReadEntries(run.ResultsPath, (success, entry) =>
        {
            if (success == ok)
            {
                output.Write(entry.Span);
                output.Write("\n"u8);
            }
        });
}
