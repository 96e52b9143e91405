using QuantumEdge.Gateway.Backends;

namespace QuantumEdge.Gateway.Tests.Backends;

public sealed class CircuitBreakerTests
{
    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(_ticks);

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    [Fact]
    public void Half_failures_over_enough_attempts_open_it_and_after_the_break_one_trial_decides()
    {
        var clock = new ManualClock();
        var circuit = new CircuitBreaker(TimeSpan.FromSeconds(10), clock);
        circuit.RecordSuccess();
        circuit.RecordFailure();
        circuit.RecordSuccess();
        Assert.False(circuit.IsOpen);
        circuit.RecordFailure();
        Assert.True(circuit.IsOpen);
        Assert.False(circuit.TryEnter());

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(circuit.IsOpen);
        Assert.True(circuit.TryEnter());
        // Only one trial at a time.
        Assert.True(circuit.IsOpen);
        Assert.False(circuit.TryEnter());
        circuit.RecordFailure();
        Assert.True(circuit.IsOpen);

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(circuit.TryEnter());
        circuit.RecordSuccess();
        Assert.False(circuit.IsOpen);
        Assert.True(circuit.TryEnter());
    }

    [Fact]
    public void A_timeout_opens_it_at_once()
    {
        var circuit = new CircuitBreaker(TimeSpan.FromSeconds(10), new ManualClock());
        circuit.RecordFailure(opensAtOnce: true);
        Assert.True(circuit.IsOpen);
    }

    [Fact]
    public void A_trial_whose_client_left_frees_the_trial_slot()
    {
        var clock = new ManualClock();
        var circuit = new CircuitBreaker(TimeSpan.FromSeconds(1), clock);
        circuit.RecordFailure(opensAtOnce: true);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(circuit.TryEnter());
        circuit.RecordInconclusive();
        Assert.True(circuit.TryEnter());
    }

    [Fact]
    public void Old_failures_leave_the_window()
    {
        var clock = new ManualClock();
        var circuit = new CircuitBreaker(TimeSpan.FromSeconds(10), clock);
        circuit.RecordFailure();
        circuit.RecordFailure();
        circuit.RecordFailure();
        clock.Advance(CircuitBreaker.SamplingDuration + TimeSpan.FromSeconds(1));
        circuit.RecordFailure();
        Assert.False(circuit.IsOpen);
    }
}
