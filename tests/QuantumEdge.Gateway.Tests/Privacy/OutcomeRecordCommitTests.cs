using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.LiteDb;

namespace QuantumEdge.Gateway.Tests.Privacy;

/// <summary>
/// Issue 7 item 22: the gate's outcome records are deferrable, so they share group commits; the charge
/// before forwarding is not held up by them, and shutdown (<see cref="PrivacyLedgerGate.DrainAsync"/>)
/// makes every queued record durable at once. The ledger's linger is ten minutes here, so anything
/// that waited it out would miss the test's deadline.
/// </summary>
public sealed class OutcomeRecordCommitTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-gate-commit-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly NodeIdentity _identity = NodeIdentity.Generate();
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();

    public void Dispose()
    {
        _identity.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private LiteDbPrivacyLedger Open() => LiteDbPrivacyLedger.Open(new LedgerOptions
    {
        DataDirectory = _dir,
        MasterKey = "gate-commit-test-master-key",
        NodeIdentity = _identity,
        Kdf = new KdfParameters(1024, 1),
        DeferredCommitLinger = TimeSpan.FromMinutes(10),
    });

    private PrivacyLedgerGate Gate(IPrivacyLedger ledger) =>
        new(ledger, new PrivacyMetrics(_registry, ledger.Policy), TimeProvider.System, NullLogger.Instance);

    private static RequestRecord Request(DataClassification level, int i) => new()
    {
        RequestId = $"req-{i}",
        Route = InferenceRoute.ChatCompletions,
        Classification = level,
        Model = "m",
        Caller = new CallerIdentity("dr-house", "physician", "general", DateTimeOffset.UtcNow.AddHours(1)),
    };

    [Fact]
    public async Task Answered_requests_share_a_commit_the_charge_is_not_held_up_and_drain_makes_every_record_durable()
    {
        using (var ledger = Open())
        {
            var gate = Gate(ledger);
            var before = ledger.CommitStats!.Value;
            for (var i = 0; i < 20; i++)
            {
                var answered = Request(DataClassification.Public, i);
                await gate.AdmitAsync(answered, "prompt"u8.ToArray(), CancellationToken.None);
                answered.Status = 200;
                await gate.CompleteAsync(answered);
            }

            // The twenty outcome records linger; the charge (immediate) commits them with it, at once.
            var charged = Request(DataClassification.Restricted, 20);
            await gate.AdmitAsync(charged, "prompt"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(Deadline);
            var afterCharge = ledger.CommitStats!.Value;
            Assert.NotNull(charged.ChargeSeq);
            Assert.Equal(1, afterCharge.Commits - before.Commits);
            Assert.Equal(21, afterCharge.Operations - before.Operations);

            charged.Status = 200;
            await gate.CompleteAsync(charged);
            await gate.DrainAsync().WaitAsync(Deadline);
            Assert.Equal(23, ledger.CommitStats!.Value.Operations - before.Operations); // its outcome record and the flush
        }

        using var reopened = Open();
        var records = await reopened.ReadAuditAsync(0, 1000);
        var outcomes = records.Where(r => r.Entry.Decision == Ledger.Audit.AuditDecisions.Completed).Select(r => r.Entry.RequestId).ToList();
        Assert.Equal(Enumerable.Range(0, 21).Select(i => $"req-{i}"), outcomes);
    }

    private static async Task<List<string>> CompletedOutcomesAsync(IPrivacyLedger ledger)
    {
        var records = await ledger.ReadAuditAsync(0, 1000);
        return records.Where(r => r.Entry.Decision == Ledger.Audit.AuditDecisions.Completed).Select(r => r.Entry.RequestId).ToList();
    }

    private static async Task QueueAnsweredAsync(PrivacyLedgerGate gate, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var answered = Request(DataClassification.Public, i);
            await gate.AdmitAsync(answered, "prompt"u8.ToArray(), CancellationToken.None);
            answered.Status = 200;
            await gate.CompleteAsync(answered);
        }
    }

    // DrainAsync runs first in the node's shutdown (GatewayNode's finally): if it threw, metrics,
    // federation, the admin socket and the API would never be closed.
    [Fact]
    public async Task Drain_does_not_throw_when_the_flush_fails_and_still_waits_for_every_queued_record()
    {
        using (var ledger = new FaultingLedger(Open()) { FlushFault = new InvalidOperationException("the flush failed") })
        {
            var gate = Gate(ledger);
            await QueueAnsweredAsync(gate, 5);

            await gate.DrainAsync().WaitAsync(Deadline);

            // Returned only once the records were durable: the flush's failure did not cut the wait short.
            Assert.Equal(5, (await CompletedOutcomesAsync(ledger)).Count);
        }

        using var reopened = Open();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"req-{i}"), await CompletedOutcomesAsync(reopened));
    }

    [Fact]
    public async Task Drain_does_not_throw_when_the_ledger_is_already_closed()
    {
        var ledger = Open();
        var gate = Gate(ledger);
        await QueueAnsweredAsync(gate, 3);

        ledger.Dispose(); // commits what is queued; FlushAsync now throws ObjectDisposedException

        await gate.DrainAsync().WaitAsync(Deadline);
        using var reopened = Open();
        Assert.Equal(3, (await CompletedOutcomesAsync(reopened)).Count);
    }

    [Fact]
    public async Task Drain_does_not_throw_when_an_outcome_write_fails_with_an_engine_exception()
    {
        using var ledger = new FaultingLedger(Open()) { RecordFault = new InvalidOperationException("driver failure") };
        var gate = Gate(ledger);
        await QueueAnsweredAsync(gate, 2);

        await gate.DrainAsync().WaitAsync(Deadline);
    }
}
