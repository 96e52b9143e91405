using Microsoft.Extensions.Logging;
using System.Diagnostics;
using QuantumEdge.Node.Hosting.Systemd;

namespace QuantumEdge.Node.Tests.Hosting.Systemd;

/// <summary>The watchdog pings only while every check answers, and says why it stopped.</summary>
public sealed class WatchdogServiceTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_wedged_check_stops_the_pings_and_the_log_names_it()
    {
        var wedged = false;
        var never = new TaskCompletionSource();
        var logger = new CapturingLogger();
        var pings = 0;
        using var watchdog = new WatchdogService(
            [new LivenessCheck("ledger writer", _ => Task.CompletedTask), new LivenessCheck("API", _ => Volatile.Read(ref wedged) ? never.Task : Task.CompletedTask)],
            Interval, () => Interlocked.Increment(ref pings), logger);
        await watchdog.StartAsync(CancellationToken.None);

        await Until(() => Volatile.Read(ref pings) >= 2, "healthy checks never pinged");
        var errorsBefore = logger.Lines.Count(l => l.Level == LogLevel.Error);
        Volatile.Write(ref wedged, true);
        await Until(() => watchdog.Failure?.Contains("API", StringComparison.Ordinal) == true, "a wedged check went unnoticed");
        var pingsWhenWedged = Volatile.Read(ref pings);
        var roundsWhenWedged = watchdog.Rounds;
        // Several more rounds, each of which must withhold its ping.
        await Until(() => watchdog.Rounds >= roundsWhenWedged + 4, "the watchdog stopped running rounds");
        await watchdog.StopAsync(CancellationToken.None);

        Assert.Equal(pingsWhenWedged, Volatile.Read(ref pings));
        Assert.Contains("API", watchdog.Failure, StringComparison.Ordinal);
        // Logged when it began, not once per round.
        var errors = logger.Lines.Where(l => l.Level == LogLevel.Error).ToList();
        Assert.InRange(errors.Count - errorsBefore, 0, 1);
        Assert.Contains(errors, e => e.Message.Contains("API", StringComparison.Ordinal) && e.Message.Contains("not pinging systemd", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_check_withholds_pings_until_it_answers_again()
    {
        var failing = false;
        var logger = new CapturingLogger();
        var pings = 0;
        using var watchdog = new WatchdogService(
            [new LivenessCheck("ledger writer", _ => Volatile.Read(ref failing) ? throw new IOException("disk gone") : Task.CompletedTask)],
            Interval, () => Interlocked.Increment(ref pings), logger);
        await watchdog.StartAsync(CancellationToken.None);

        await Until(() => Volatile.Read(ref pings) >= 1, "healthy checks never pinged");
        Volatile.Write(ref failing, true);
        await Until(() => watchdog.Failure is not null, "a failing check went unnoticed");
        var withheld = Volatile.Read(ref pings);
        var rounds = watchdog.Rounds;
        await Until(() => watchdog.Rounds >= rounds + 3, "the watchdog stopped running rounds");
        Assert.Equal(withheld, Volatile.Read(ref pings));
        Assert.Contains("ledger writer failed: IOException: disk gone", watchdog.Failure, StringComparison.Ordinal);

        Volatile.Write(ref failing, false);
        await Until(() => Volatile.Read(ref pings) > withheld, "the pings did not resume");
        await watchdog.StopAsync(CancellationToken.None);
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("disk gone", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("30000000", null, 30.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("30000000", "1", null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("many", null, null)]
    public void Watchdog_interval_is_read_only_when_meant_for_this_process(string? usec, string? pid, double? seconds)
    {
        var env = new Dictionary<string, string?> { ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid };
        Assert.Equal(seconds, SystemdNotifier.WatchdogInterval(v => env.GetValueOrDefault(v), 4242)?.TotalSeconds);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("relative/notify.sock")]
    public void No_notifier_without_a_usable_NOTIFY_SOCKET(string? value) =>
        Assert.Null(SystemdNotifier.FromEnvironment(v => v == "NOTIFY_SOCKET" ? value : null));

    private static async Task Until(Func<bool> condition, string failure)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), failure);
            await Task.Delay(5);
        }
    }
}
