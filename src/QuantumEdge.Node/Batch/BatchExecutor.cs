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
using QuantumEdge.Ledger.Batches;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// Runs batches: each line goes through the same <see cref="InferencePipeline"/> and request gates
/// as an interactive request of the batch's creator (classification failing closed, the content
/// detector, the privacy charge, the audit record), on the backend the <see cref="BatchScheduler"/>
/// picks, at most <c>batch.max_in_flight</c> lines at once across all batches, nearest deadline first.
/// </summary>
/// <remarks>
/// State lives in the ledger (<see cref="IBatchStateStore"/>): the batch record (status changes are
/// compare-and-set, so a cancel on any replica and this executor's own transitions never overwrite
/// each other) and each line's status. A finished line's entry is appended and fsync'd to the
/// batch's entries file before the ledger records it with the entry's offset and checksum, so after
/// a crash a line is either recorded (never run again, never written twice to the output) or run
/// again. A batch is executed by the replica holding its lease, renewed every
/// <see cref="SyncInterval"/>; a dead replica's batch is taken over once its lease expires. A line's
/// privacy charge carries a deterministic request id (batch id and line index); when it begins a
/// batch, the executor reads the audit trail from the seq recorded when the batch was created and
/// takes over any charge of a line it has no result for (and no refund of), so a line interrupted
/// between its charge and its result is charged once.
/// </remarks>
internal sealed class BatchExecutor : BackgroundService
{
    private const int MaxPendingOffered = 1024;
    private const int MaxRetries = 3;
    private const int MaxCancelAttempts = 8;

    /// <summary>How far another replica's clock may be behind this one's when its charges are looked up by time (NTP keeps it far closer).</summary>
    private static readonly TimeSpan MaxReplicaClockSkew = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the executor looks for batches created or cancelled on other replicas and renews its leases.</summary>
    public static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long a lease lasts unrenewed: a dead replica's batches wait this long before another replica takes them over.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, BatchRun> _batches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _lines = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly NodeConfiguration _config;
    private readonly BatchFileStore _files;
    private readonly InferencePipeline _pipeline;
    private readonly IReadOnlyList<IRequestGate> _gates;
    private readonly IPrivacyLedger _ledger;
    private readonly IBatchStateStore _states;
    private readonly BatchScheduler _scheduler;
    private readonly BatchMetrics _metrics;
    private readonly RolePermissions _roles;
    private readonly EmergencyControls? _emergency;
    private readonly TimeProvider _time;
    private readonly ILogger<BatchExecutor> _logger;
    private readonly string _entriesDirectory;
    private long _lastSync;
    private volatile bool _syncDue = true;
    private int _inFlight;

    public BatchExecutor(NodeConfiguration config, BatchFileStore files, InferencePipeline pipeline, IReadOnlyList<IRequestGate> gates, IPrivacyLedger ledger,
        BatchScheduler scheduler, BatchMetrics metrics, RolePermissions roles, EmergencyControls? emergency, TimeProvider time, ILogger<BatchExecutor> logger)
    {
        _config = config;
        _files = files;
        _pipeline = pipeline;
        _gates = gates;
        _ledger = ledger;
        _states = ledger.BatchStates;
        _scheduler = scheduler;
        _metrics = metrics;
        _roles = roles;
        _emergency = emergency;
        _time = time;
        _logger = logger;
        Holder = config.Storage.IsPostgreSql ? config.Storage.PostgreSql.ResolveReplicaId() : config.Node.Id;
        _entriesDirectory = Path.Combine(files.Directory, "entries");
        FileModes.CreatePrivateDirectory(_entriesDirectory);
        LegacyRoot = Path.Combine(config.Node.DataDir, "batch", "batches");
    }

    /// <summary>This replica's name on the batches it leases.</summary>
    public string Holder { get; }

    /// <summary>Where batches were kept before their state moved to the ledger (imported and removed on start).</summary>
    public string LegacyRoot { get; }

    /// <summary>The batches this replica knows of since it started (for the metrics).</summary>
    public IEnumerable<BatchRun> All => _batches.Values;

    /// <summary>The batch as the ledger holds it (any replica's), or null.</summary>
    public Task<BatchState?> GetAsync(string id) => BatchIds.IsBatchId(id) ? _states.GetAsync(id) : Task.FromResult<BatchState?>(null);

    /// <summary>Every batch, or one owner's.</summary>
    public Task<IReadOnlyList<BatchState>> ListAsync(string? ownerSubject) => _states.ListAsync(ownerSubject);

    /// <summary>The unfinished batch reading <paramref name="fileId"/>, if any (on any replica).</summary>
    public async Task<string?> ActiveBatchReadingAsync(string fileId) =>
        (await _states.ListAsync(unfinishedOnly: true).ConfigureAwait(false)).FirstOrDefault(s => BatchStateRecords.FromState(s).Batch.InputFileId == fileId)?.Id;

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
        var state = await _states.CreateAsync(BatchStateRecords.ToState(new StoredBatch { Batch = batch, Owner = owner, Classification = classification, AuditSeqAtStart = seq }))
            .ConfigureAwait(false);
        _batches[state.Id] = new BatchRun(state);
        _syncDue = true; // lease it on the next step
        Changed();
        return batch;
    }

    /// <summary>Moves an unfinished batch to <c>cancelling</c> (whichever replica runs it); it becomes <c>cancelled</c> once its running lines end.</summary>
    public async Task<BatchObject> CancelAsync(BatchState state)
    {
        for (var attempt = 0; attempt < MaxCancelAttempts; attempt++)
        {
            if (state.Status is not (BatchStatuses.Validating or BatchStatuses.InProgress))
            {
                return BatchStateRecords.View(state);
            }

            var stored = BatchStateRecords.FromState(state);
            var next = BatchStateRecords.ToState(stored with { Batch = stored.Batch with { Status = BatchStatuses.Cancelling, CancellingAt = _time.GetUtcNow().ToUnixTimeSeconds() } },
                state.Version);
            if (await _states.UpdateAsync(next).ConfigureAwait(false) is { } updated)
            {
                if (_batches.TryGetValue(updated.Id, out var run))
                {
                    lock (run)
                    {
                        run.Apply(updated);
                    }
                }

                Changed();
                return BatchStateRecords.View(updated);
            }

            // The executor moved the batch meanwhile: decide again on what it wrote.
            state = await _states.GetAsync(state.Id).ConfigureAwait(false) ?? throw GatewayError.NotFound($"no such batch: {state.Id}", "batch_id", "batch_not_found");
        }

        throw GatewayError.Unavailable($"batch {state.Id} kept changing while it was being cancelled; try again", "batch_busy");
    }

    /// <summary>Moves batches an earlier build kept in files into the ledger before the node serves, then starts executing.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await LegacyBatchImport.RunAsync(LegacyRoot, _states, Holder, LeaseDuration, _entriesDirectory, _logger).ConfigureAwait(false);
        }
        catch (LedgerException e)
        {
            // A read-only (tampered) or unreachable ledger still lets the node start; the old files stay for the next start.
            _logger.LogError("batches kept by an earlier build under {Directory} were not moved into the ledger: {Message}", LegacyRoot, e.Message);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Learns of batches created or cancelled on other replicas, takes the leases of unfinished
    /// batches no live replica holds and renews its own; a batch whose lease went elsewhere stops here.
    /// </summary>
    private async Task SyncAsync()
    {
        var unfinished = await _states.ListAsync(unfinishedOnly: true).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in unfinished)
        {
            seen.Add(state.Id);
            var run = _batches.GetOrAdd(state.Id, _ => new BatchRun(state));
            var leased = await _states.TryLeaseAsync(state.Id, Holder, LeaseDuration).ConfigureAwait(false);
            lock (run)
            {
                run.Apply(state);
                if (!leased && run.Held)
                {
                    _logger.LogWarning("batch {Batch}: its lease went to another replica; this replica stops running it", run.Id);
                    run.Dispose();
                }

                run.Held = leased;
            }
        }

        // Batches this replica knew unfinished that another replica finished (or that vanished).
        foreach (var run in _batches.Values.Where(r => !r.Terminal && !seen.Contains(r.Id)))
        {
            if (await _states.GetAsync(run.Id).ConfigureAwait(false) is { } state)
            {
                lock (run)
                {
                    run.Apply(state);
                    run.Held = false;
                    run.Dispose();
                }
            }
            else
            {
                _batches.TryRemove(run.Id, out _);
            }
        }
    }

    private async Task StepAsync(CancellationToken stopping)
    {
        if (_syncDue || Environment.TickCount64 - _lastSync >= (long)SyncInterval.TotalMilliseconds)
        {
            _syncDue = false;
            await SyncAsync().ConfigureAwait(false);
            _lastSync = Environment.TickCount64;
        }

        var now = _time.GetUtcNow();
        var demands = new List<BatchLineDemand>();
        foreach (var run in _batches.Values.Where(r => r.Held && !r.Terminal).OrderBy(r => r.Deadline))
        {
            if (run.Lines is null)
            {
                await BeginAsync(run, stopping).ConfigureAwait(false);
            }

            string? final = null;
            lock (run)
            {
                if (run.Lines is null || run.Terminal || !run.Held)
                {
                    continue;
                }

                var expired = now >= run.Deadline;
                if (run.Status is BatchStatuses.Cancelling || expired || run.Status is BatchStatuses.Finalizing || run.Unfinished == 0)
                {
                    if (run.Running.Count == 0)
                    {
                        final = run.Status == BatchStatuses.Cancelling ? BatchStatuses.Cancelled : expired && run.Unfinished > 0 ? BatchStatuses.Expired : BatchStatuses.Completed;
                    }
                }
                else if (_emergency?.Refusal(_roles.Allows(run.Stored.Owner.Role, RolePermissions.All), inference: true) is null)
                {
                    // (Halted, or locked down to administrators: the batch waits.)
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

            if (final is not null)
            {
                await FinalizeAsync(run, final).ConfigureAwait(false);
            }
        }

        if (demands.Count == 0 || Volatile.Read(ref _inFlight) >= _config.Batch.MaxInFlight)
        {
            return;
        }

        foreach (var dispatch in await _scheduler.NextDispatchesAsync(demands, now, stopping).ConfigureAwait(false))
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
                if (run.Terminal || !run.Held || run.Status != BatchStatuses.InProgress || run.Finished[index] || !run.Running.Add(index))
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

    /// <summary>
    /// Writes the batch's next state to the ledger (compare-and-set on the version this replica last
    /// saw); false when another writer changed it first: the run then holds what the ledger has, and
    /// the caller decides again on the next step.
    /// </summary>
    private async Task<bool> TransitionAsync(BatchRun run, Func<BatchObject, BatchObject> change)
    {
        StoredBatch stored;
        long version;
        lock (run)
        {
            stored = run.Stored;
            version = run.State.Version;
        }

        var next = BatchStateRecords.ToState(stored with { Batch = change(stored.Batch) }, version);
        var updated = await _states.UpdateAsync(next).ConfigureAwait(false);
        var won = updated is not null;
        updated ??= await _states.GetAsync(run.Id).ConfigureAwait(false);
        if (updated is not null)
        {
            lock (run)
            {
                run.Apply(updated);
            }
        }

        Changed();
        return won;
    }

    /// <summary>Indexes the input (checking its checksum), reads the lines the ledger records, finds earlier charges; validating → in_progress.</summary>
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
            var now = _time.GetUtcNow().ToUnixTimeSeconds();
            await TransitionAsync(run, batch => batch with
            {
                Status = BatchStatuses.Failed, FailedAt = now,
                Errors = new BatchErrors("list", [new BatchErrorDatum(e is GatewayError g ? g.Code ?? "invalid_file" : "invalid_file", e.Message, "input_file_id",
                    e is BatchInputException { Line: > 0 } b ? b.Line : null)]),
            }).ConfigureAwait(false);
            return;
        }

        var recorded = await _states.ReadLinesAsync(run.Id, stopping).ConfigureAwait(false);
        await FindPriorChargesAsync(run, stopping).ConfigureAwait(false);
        var handle = File.OpenHandle(Path.Combine(_files.Directory, input.Id + ".jsonl"), FileMode.Open, FileAccess.Read, FileShare.Read);
        lock (run)
        {
            run.Begin(lines, handle, recorded, BatchEntriesFile.PathFor(_entriesDirectory, run.Id));
        }

        if (run.Status == BatchStatuses.Validating)
        {
            await TransitionAsync(run, b => b with { Status = BatchStatuses.InProgress, InProgressAt = _time.GetUtcNow().ToUnixTimeSeconds() }).ConfigureAwait(false);
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

    /// <summary>
    /// Charges of this batch's lines since the batch was created that were not refunded: request id → (seq, ε). On a
    /// ledger shared by replicas every replica's chain is searched: a charge on this replica's chain is taken over, one
    /// on another's (it ran the batch, charged a line and died before recording it) is refunded before the line runs again.
    /// </summary>
    private async Task FindPriorChargesAsync(BatchRun run, CancellationToken stopping)
    {
        var prefix = run.Id + "-line-";
        if (_ledger is IReplicaChains chains)
        {
            var since = DateTimeOffset.FromUnixTimeSeconds(run.Stored.Batch.CreatedAt) - MaxReplicaClockSkew;
            var found = await chains.FindUnrefundedChargesAsync(prefix, since, stopping).ConfigureAwait(false);
            lock (run)
            {
                foreach (var charge in found)
                {
                    if (charge.Chain == chains.ReplicaId)
                    {
                        run.PriorCharges[charge.RequestId] = (charge.Seq, charge.Epsilon);
                    }
                    else if (run.OtherReplicasCharges.TryGetValue(charge.RequestId, out var list))
                    {
                        list.Add(charge);
                    }
                    else
                    {
                        run.OtherReplicasCharges[charge.RequestId] = [charge];
                    }
                }
            }

            return;
        }

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
            int attempt;
            lock (run)
            {
                attempt = ++run.Attempts[index];
            }

            // Recorded before the line runs: only the lease holder gets past this, and the attempt survives a crash.
            var started = new BatchLineState { Index = index, Status = BatchLineStatuses.Running, Attempt = attempt, RequestId = lineId };
            var result = await _states.RecordLineAsync(run.Id, Holder, started, stopping).ConfigureAwait(false)
                ? await ExecuteLineAsync(run, index, backendId, stopping).ConfigureAwait(false)
                : null;
            if (result is { } r)
            {
                (long Offset, int Length, string Sha256) at;
                lock (run)
                {
                    at = run.AppendEntry(r.Entry);
                }

                var finished = started with
                {
                    Status = r.Ok ? BatchLineStatuses.Done : BatchLineStatuses.Failed, ErrorCode = r.ErrorCode,
                    EntryOffset = at.Offset, EntryLength = at.Length, EntrySha256 = at.Sha256,
                };
                var recorded = await _states.RecordLineAsync(run.Id, Holder, finished, CancellationToken.None).ConfigureAwait(false);
                lock (run)
                {
                    if (recorded)
                    {
                        run.Finish(finished);
                    }
                    else
                    {
                        run.Running.Remove(index);
                    }
                }
            }
            else
            {
                lock (run)
                {
                    run.Running.Remove(index);
                }
            }
        }
        catch (Exception e)
        {
            // The line stays unfinished and runs again (its charge, if made, is taken over when the batch begins again).
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
    private async Task<LineResult?> ExecuteLineAsync(BatchRun run, int index, string backendId, CancellationToken stopping)
    {
        await RefundOtherReplicasChargesAsync(run, BatchIds.LineRequestId(run.Id, index)).ConfigureAwait(false);
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

        var (ok, entry) = BatchOutputEntry.Build(BatchIds.OutputLineId(run.Id, index), line.CustomId, record, error, client);
        return new LineResult(ok, entry, ok ? null
            : error?.Code ?? error?.Type ?? (client.TooLarge ? "response_too_large" : client.Head is { Status: >= 300 } head ? $"http_{head.Status}" : "backend_error"));
    }

    /// <summary>
    /// Refunds, each on its own chain, the charges other replicas made for this line and did not record an outcome for,
    /// so the line is charged once, here (a refund and a new charge rather than adopting a charge whose refund, should
    /// the line fail, this replica's request path would look for on its own chain). One that fails stays for the next attempt.
    /// </summary>
    private async Task RefundOtherReplicasChargesAsync(BatchRun run, string requestId)
    {
        List<QuantumEdge.Ledger.Budgets.ReplicaCharge>? charges;
        lock (run)
        {
            if (!run.OtherReplicasCharges.Remove(requestId, out charges))
            {
                return;
            }
        }

        var chains = (IReplicaChains)_ledger;
        for (var i = 0; i < charges.Count; i++)
        {
            try
            {
                await chains.RefundAsync(charges[i].Chain, charges[i].Seq, "batch line taken over by replica " + chains.ReplicaId, CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch
            {
                lock (run)
                {
                    run.OtherReplicasCharges[requestId] = charges[i..];
                }

                throw;
            }
        }
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
    private async Task FinalizeAsync(BatchRun run, string status)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (run.Status != BatchStatuses.Finalizing && status == BatchStatuses.Completed
            && !await TransitionAsync(run, b => b with { Status = BatchStatuses.Finalizing, FinalizingAt = now }).ConfigureAwait(false))
        {
            return;
        }

        string? outputId, errorId;
        int okLines, failedLines, total;
        lock (run)
        {
            if (run.Lines is null)
            {
                return;
            }

            okLines = run.Completed;
            failedLines = run.Failed + (status == BatchStatuses.Expired ? run.Unfinished : 0);
            total = run.Lines.Length;
            var owner = run.Stored.Owner.Subject;
            using var entries = File.OpenHandle(run.EntriesPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            outputId = okLines == 0 ? null : Generate(run, "output", owner, okLines, s => CopyEntries(run, entries, true, s));
            errorId = failedLines == 0 ? null : Generate(run, "errors", owner, failedLines, s =>
            {
                CopyEntries(run, entries, false, s);
                if (status == BatchStatuses.Expired)
                {
                    // The lines the window closed on, as the API reports them.
                    for (var i = 0; i < run.Lines.Length; i++)
                    {
                        if (!run.Finished[i])
                        {
                            s.Write(BatchOutputEntry.Expired(BatchIds.OutputLineId(run.Id, i), BatchInputLine.Parse(i + 1, run.ReadLine(i)).CustomId));
                            s.Write("\n"u8);
                        }
                    }
                }
            });
        }

        if (!await TransitionAsync(run, b => b with
        {
            Status = status,
            OutputFileId = outputId,
            ErrorFileId = errorId,
            RequestCounts = new BatchRequestCounts(total, okLines, failedLines),
            CompletedAt = status == BatchStatuses.Completed ? now : null,
            ExpiredAt = status == BatchStatuses.Expired ? now : null,
            CancelledAt = status == BatchStatuses.Cancelled ? now : null,
        }).ConfigureAwait(false))
        {
            return; // cancelled meanwhile: decided again on the next step (the files are rewritten under the same ids)
        }

        lock (run)
        {
            run.Held = false;
            run.Dispose();
        }

        await _states.ReleaseLeaseAsync(run.Id, Holder).ConfigureAwait(false);
        _logger.LogInformation("batch {Batch} {Status}: {Completed} completed, {Failed} failed of {Total}", run.Id, status, okLines, failedLines, total);
        Changed();
    }

    private string Generate(BatchRun run, string kind, string owner, int lines, Action<Stream> write) =>
        _files.AddGenerated(BatchIds.GeneratedFileId(run.Id, kind), owner, $"{run.Id}_{kind}.jsonl", "batch_output", lines, write).Id;

    /// <summary>The entries of the lines the ledger records as done (or failed), in line order, each checked against its recorded checksum.</summary>
    private static void CopyEntries(BatchRun run, Microsoft.Win32.SafeHandles.SafeFileHandle entries, bool ok, Stream output)
    {
        foreach (var line in run.Records)
        {
            if (line is not null && (line.Status == BatchLineStatuses.Done) == ok)
            {
                output.Write(BatchEntriesFile.Read(entries, run.EntriesPath, line.EntryOffset, line.EntryLength, line.EntrySha256));
                output.Write("\n"u8);
            }
        }
    }

    /// <summary>A line's outcome: whether it goes to the output file, its entry, and the error code of a failed line.</summary>
    private readonly record struct LineResult(bool Ok, byte[] Entry, string? ErrorCode);
}
