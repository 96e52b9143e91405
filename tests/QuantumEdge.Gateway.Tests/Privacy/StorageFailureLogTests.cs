using Microsoft.Extensions.Logging;
using Prometheus;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.LiteDb;

namespace QuantumEdge.Gateway.Tests.Privacy;

/// <summary>
/// A charge whose commit could not be made durable stops the ledger; the node's log must say why (the failed
/// step and file), since the request's own error line names only the exception type.
/// </summary>
public sealed class StorageFailureLogTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-gate-storage-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly NodeIdentity _identity = NodeIdentity.Generate();

    [Fact]
    public async Task A_charge_that_stops_the_ledger_logs_the_failed_step_once_as_critical()
    {
        var lines = new List<(LogLevel Level, string Text)>();
        using var ledger = LiteDbPrivacyLedger.Open(new LedgerOptions
        {
            DataDirectory = _dir,
            MasterKey = "gate-storage-test-master-key",
            NodeIdentity = _identity,
            Kdf = new KdfParameters(1024, 1),
        });
        var registry = Metrics.NewCustomRegistry();
        var gate = new PrivacyLedgerGate(ledger, new PrivacyMetrics(registry, ledger.Policy), TimeProvider.System, new ListLogger(lines));

        // A non-empty directory where the head file is: the commit's head write fails.
        var head = new LedgerPaths(_dir).Head;
        File.Delete(head);
        Directory.CreateDirectory(head);
        await File.WriteAllTextAsync(Path.Combine(head, "occupied"), "x");

        await Assert.ThrowsAnyAsync<LedgerException>(() => gate.AdmitAsync(Request(), "prompt"u8.ToArray(), CancellationToken.None).AsTask());

        Assert.True(ledger.StoppedByStorageFailure);
        var line = Assert.Single(lines, l => l.Level == LogLevel.Critical);
        Assert.Contains("stopped taking writes", line.Text, StringComparison.Ordinal);
        Assert.Contains("head file", line.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("prompt", line.Text, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _identity.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static RequestRecord Request() => new()
    {
        RequestId = "req-" + Guid.NewGuid().ToString("N")[..8],
        Route = InferenceRoute.ChatCompletions,
        Classification = DataClassification.Restricted,
        Model = "m",
        Caller = new CallerIdentity("dr-house", "physician", "general", DateTimeOffset.UtcNow.AddHours(1)),
    };

    private sealed class ListLogger(List<(LogLevel, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines)
            {
                lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
