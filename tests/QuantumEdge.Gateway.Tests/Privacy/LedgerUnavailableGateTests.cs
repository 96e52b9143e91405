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
/// Issue 13: a ledger store that cannot be reached turns charged requests into 503
/// <c>ledger_unavailable</c> (with Retry-After) before anything is forwarded, free requests flow only
/// when configured to, and the gate recovers by itself once the store answers its probe.
/// </summary>
public sealed class LedgerUnavailableGateTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-gate-outage-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly NodeIdentity _identity = NodeIdentity.Generate();
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private SwitchableOutageLedger _ledger = null!;

    public Task InitializeAsync()
    {
        _ledger = new SwitchableOutageLedger(LiteDbPrivacyLedger.Open(new LedgerOptions
        {
            DataDirectory = _dir,
            MasterKey = "gate-outage-test-master-key",
            NodeIdentity = _identity,
            Kdf = new KdfParameters(1024, 1),
        }));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _ledger.DisposeAsync();
        _identity.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private (PrivacyLedgerGate Gate, LedgerAvailability Availability) Gate(bool serveFree)
    {
        var availability = new LedgerAvailability(_ledger, serveFree, _registry, NullLogger.Instance, TimeSpan.FromMilliseconds(20));
        var gate = new PrivacyLedgerGate(_ledger, new PrivacyMetrics(_registry, _ledger.Policy), TimeProvider.System, NullLogger.Instance, availability);
        return (gate, availability);
    }

    private static RequestRecord Request(DataClassification level) => new()
    {
        RequestId = "req-" + Guid.NewGuid().ToString("N")[..8],
        Route = InferenceRoute.ChatCompletions,
        Classification = level,
        Model = "m",
        Caller = new CallerIdentity("dr-house", "physician", "general", DateTimeOffset.UtcNow.AddHours(1)),
    };

    private static async Task<GatewayError> RefusedAsync(PrivacyLedgerGate gate, RequestRecord record) =>
        await Assert.ThrowsAsync<GatewayError>(async () => await gate.AdmitAsync(record, "prompt"u8.ToArray(), CancellationToken.None));

    private async Task<double> MetricAsync(string name)
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream);
        var line = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 30 s");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_charge_the_store_cannot_take_is_503_ledger_unavailable_with_retry_after_and_charges_nothing()
    {
        var (gate, availability) = Gate(serveFree: false);
        await using var _ = availability;
        _ledger.Down = true;
        var record = Request(DataClassification.Restricted);

        var error = await RefusedAsync(gate, record);

        Assert.Equal(503, error.Status);
        Assert.Equal("ledger_unavailable", error.Code);
        Assert.Equal("server_error", error.Type);
        Assert.True(error.RetryAfterSeconds >= 1);
        Assert.Null(record.ChargeSeq);
        Assert.True(record.Audited);
        Assert.False(availability.Available);
        Assert.Equal(0, await MetricAsync("quantumedge_ledger_available"));
        Assert.Equal(1, await MetricAsync("quantumedge_ledger_unavailable_total"));

        _ledger.Down = false;
        await WaitUntilAsync(() => availability.Available);
        Assert.Equal(0, (await _ledger.GetBudgetAsync("dr-house", "general")).Spent);
    }

    [Fact]
    public async Task While_unavailable_charged_requests_are_refused_without_asking_the_store_and_free_ones_by_default()
    {
        var (gate, availability) = Gate(serveFree: false);
        await using var _ = availability;
        _ledger.Down = true;
        await RefusedAsync(gate, Request(DataClassification.Confidential));

        var free = await RefusedAsync(gate, Request(DataClassification.Public));
        var charged = await RefusedAsync(gate, Request(DataClassification.Restricted));

        Assert.Equal("ledger_unavailable", free.Code);
        Assert.Equal("ledger_unavailable", charged.Code);
        Assert.Equal(3, await MetricAsync("quantumedge_ledger_unavailable_refusals_total"));
    }

    [Fact]
    public async Task Free_requests_flow_while_unavailable_when_configured_and_charged_ones_do_not()
    {
        var (gate, availability) = Gate(serveFree: true);
        await using var _ = availability;
        _ledger.Down = true;
        await RefusedAsync(gate, Request(DataClassification.Restricted));

        var free = Request(DataClassification.Internal);
        await gate.AdmitAsync(free, "prompt"u8.ToArray(), CancellationToken.None);

        Assert.Null(free.ChargeSeq);
        Assert.Equal("ledger_unavailable", (await RefusedAsync(gate, Request(DataClassification.Restricted))).Code);
    }

    [Fact]
    public async Task The_gate_recovers_by_itself_when_the_store_answers_again()
    {
        var (gate, availability) = Gate(serveFree: false);
        await using var _ = availability;
        _ledger.Down = true;
        await RefusedAsync(gate, Request(DataClassification.Restricted));

        _ledger.Down = false;
        await WaitUntilAsync(() => availability.Available);
        var record = Request(DataClassification.Restricted);
        await gate.AdmitAsync(record, "prompt"u8.ToArray(), CancellationToken.None);

        Assert.NotNull(record.ChargeSeq);
        Assert.True((await _ledger.GetBudgetAsync("dr-house", "general")).Spent > 0);
        Assert.Equal(1, await MetricAsync("quantumedge_ledger_available"));
    }

    [Fact]
    public async Task An_outcome_record_the_store_cannot_take_marks_the_ledger_unavailable()
    {
        var (gate, availability) = Gate(serveFree: true);
        await using var _ = availability;
        var record = Request(DataClassification.Public);
        await gate.AdmitAsync(record, "prompt"u8.ToArray(), CancellationToken.None);
        record.Status = 200;
        _ledger.Down = true;

        await gate.CompleteAsync(record);
        await gate.DrainAsync();

        Assert.False(availability.Available);
    }
}
