using System.Text.Json;
using QuantumEdge.Federation.Lending;

namespace QuantumEdge.Federation.Tests.Lending;

/// <summary>The lender's replay window across a clean stop, a crash, a first start and a damaged state file.</summary>
public sealed class LendingReplayHistoryTests : IDisposable
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(2);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "qe-lending-replay-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void A_first_start_distrusts_nothing_and_marks_the_file_running()
    {
        var window = new LendingReplayWindow(Skew);
        Assert.Null(new LendingReplayHistory(_directory, window, Skew).Resume(Samples.Now, newDirectory: true));
        Assert.Equal(DateTimeOffset.MinValue, window.DistrustedUpTo);
        Assert.Equal("running", State());
    }

    [Fact]
    public void After_a_clean_stop_the_next_process_refuses_the_ids_the_last_one_admitted()
    {
        var now = Samples.Now;
        var first = new LendingReplayWindow(Skew);
        var history = new LendingReplayHistory(_directory, first, Skew);
        history.Resume(now, newDirectory: true);
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, first.TryRemember("hospital-a", "captured", now, now));
        history.Suspend(now.AddSeconds(10));
        Assert.Equal("stopped", State());
        Assert.Equal(LendingReplayWindow.Outcome.Closed, first.TryRemember("hospital-a", "after-stop", now.AddSeconds(10), now.AddSeconds(10)));

        var restart = now.AddSeconds(20);
        var second = new LendingReplayWindow(Skew);
        Assert.Null(new LendingReplayHistory(_directory, second, Skew).Resume(restart, newDirectory: false));
        Assert.Equal(LendingReplayWindow.Outcome.Replay, second.TryRemember("hospital-a", "captured", now, restart));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, second.TryRemember("hospital-a", "fresh", restart, restart));
        Assert.Equal("running", State());
    }

    [Fact]
    public void After_a_crash_requests_signed_up_to_one_skew_past_the_restart_are_refused()
    {
        var now = Samples.Now;
        var first = new LendingReplayWindow(Skew);
        new LendingReplayHistory(_directory, first, Skew).Resume(now, newDirectory: true);
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, first.TryRemember("hospital-a", "captured", now, now));
        // kill -9: no Suspend.

        var restart = now.AddSeconds(20);
        var second = new LendingReplayWindow(Skew);
        var problem = new LendingReplayHistory(_directory, second, Skew).Resume(restart, newDirectory: false);
        Assert.Contains("did not stop cleanly", problem, StringComparison.Ordinal);
        Assert.Equal(restart + Skew, second.DistrustedUpTo);
        Assert.Equal(LendingReplayWindow.Outcome.HistoryLost, second.TryRemember("hospital-a", "captured", now, restart));
        var later = restart + Skew + TimeSpan.FromSeconds(1);
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, second.TryRemember("hospital-a", "fresh", later, later));
    }

    [Fact]
    public void A_crash_is_not_forgotten_by_the_clean_stop_that_follows_it()
    {
        var now = Samples.Now;
        var first = new LendingReplayWindow(Skew);
        new LendingReplayHistory(_directory, first, Skew).Resume(now, newDirectory: true);
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, first.TryRemember("hospital-a", "captured", now.AddSeconds(100), now));
        // kill -9, then a start that is stopped cleanly ten seconds later.
        var second = new LendingReplayWindow(Skew);
        var secondHistory = new LendingReplayHistory(_directory, second, Skew);
        Assert.NotNull(secondHistory.Resume(now.AddSeconds(5), newDirectory: false));
        secondHistory.Suspend(now.AddSeconds(15));

        var third = new LendingReplayWindow(Skew);
        Assert.Null(new LendingReplayHistory(_directory, third, Skew).Resume(now.AddSeconds(20), newDirectory: false));
        Assert.Equal(now.AddSeconds(5) + Skew, third.DistrustedUpTo);
        Assert.Equal(LendingReplayWindow.Outcome.HistoryLost, third.TryRemember("hospital-a", "captured", now.AddSeconds(100), now.AddSeconds(20)));
    }

    [Fact]
    public void A_missing_file_in_a_directory_that_held_state_counts_as_a_lost_history()
    {
        Directory.CreateDirectory(_directory);
        var window = new LendingReplayWindow(Skew);

        var problem = new LendingReplayHistory(_directory, window, Skew).Resume(Samples.Now, newDirectory: false);

        Assert.Contains("is missing", problem, StringComparison.Ordinal);
        Assert.Equal(Samples.Now + Skew, window.DistrustedUpTo);
        Assert.Equal("running", State());
    }

    [Fact]
    public void A_saved_distrust_further_ahead_than_one_skew_is_brought_back_to_it()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, LendingReplayHistory.FileName),
            $$"""{"state":"stopped","ids":[],"distrusted_up_to_unix_ms":{{Samples.Now.AddDays(30).ToUnixTimeMilliseconds()}}}""");
        var window = new LendingReplayWindow(Skew);

        Assert.Null(new LendingReplayHistory(_directory, window, Skew).Resume(Samples.Now, newDirectory: false));

        Assert.Equal(Samples.Now + Skew, window.DistrustedUpTo);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"state":"paused"}""")]
    [InlineData("""{"state":"stopped"}""")]
    [InlineData("""{"state":"stopped","ids":[{"peer":"hospital-a","id":7,"expires_unix_ms":1}]}""")]
    [InlineData("""{"state":"stopped","ids":[{"peer":"hospital-a","id":"x","expires_unix_ms":99999999999999999}]}""")]
    public void A_damaged_state_file_counts_as_a_lost_history_and_is_replaced(string content)
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, LendingReplayHistory.FileName), content);
        var window = new LendingReplayWindow(Skew);

        var problem = new LendingReplayHistory(_directory, window, Skew).Resume(Samples.Now, newDirectory: false);

        Assert.Contains(LendingReplayHistory.FileName, problem, StringComparison.Ordinal);
        Assert.Equal(Samples.Now + Skew, window.DistrustedUpTo);
        Assert.Equal("running", State());
    }

    private string State()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_directory, LendingReplayHistory.FileName)));
        return doc.RootElement.GetProperty("state").GetString()!;
    }
}
