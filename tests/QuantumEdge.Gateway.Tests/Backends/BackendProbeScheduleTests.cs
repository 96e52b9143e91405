using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Backends;

public sealed class BackendProbeScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static Backend NewBackend(string id) => new(new BackendSettings
    {
        Id = id,
        Url = new Uri($"http://{id}.invalid/v1/"),
        Models = ["m"],
        AllowedClassifications = [DataClassification.Public],
    }, TimeSpan.FromSeconds(30));

    [Fact]
    public void An_unhealthy_backend_is_reprobed_after_one_second_then_at_doubling_waits_up_to_the_interval_and_back_to_the_interval_once_healthy()
    {
        using var backend = NewBackend("a");
        Backend[] all = [backend];
        var schedule = new BackendProbeSchedule(TimeSpan.FromSeconds(10));
        var now = Start;
        Assert.Equal([backend], schedule.Due(all, now));

        backend.Healthy = false;
        var waits = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            schedule.Probed(backend, now);
            var wait = schedule.UntilNext(all, now);
            waits.Add(wait.TotalSeconds);
            Assert.Empty(schedule.Due(all, now + wait - TimeSpan.FromMilliseconds(1)));
            now += wait;
            Assert.Equal([backend], schedule.Due(all, now));
        }

        Assert.Equal([1, 2, 4, 8, 10, 10], waits);

        backend.Healthy = true;
        schedule.Probed(backend, now);
        Assert.Equal(TimeSpan.FromSeconds(10), schedule.UntilNext(all, now));

        // A later failure starts the back-off from one second again.
        now += TimeSpan.FromSeconds(10);
        backend.Healthy = false;
        schedule.Probed(backend, now);
        Assert.Equal(BackendProbeSchedule.FirstRetry, schedule.UntilNext(all, now));
    }

    [Fact]
    public void A_healthy_backend_waits_the_interval_while_an_unhealthy_one_beside_it_is_retried_alone()
    {
        using var up = NewBackend("up");
        using var down = NewBackend("down");
        Backend[] all = [up, down];
        var schedule = new BackendProbeSchedule(Hour);
        down.Healthy = false;
        foreach (var b in schedule.Due(all, Start))
        {
            schedule.Probed(b, Start);
        }

        Assert.Equal(TimeSpan.FromSeconds(1), schedule.UntilNext(all, Start));
        Assert.Equal([down], schedule.Due(all, Start + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void A_backend_made_unhealthy_outside_the_schedule_is_retried_soon_and_a_new_one_is_due_at_once()
    {
        using var a = NewBackend("a");
        var schedule = new BackendProbeSchedule(Hour);
        schedule.Probed(a, Start);
        Assert.Equal(Hour, schedule.UntilNext([a], Start));

        // A reload's own probe found it down: the hour-long wait no longer applies.
        a.Healthy = false;
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.UntilNext([a], Start));

        using var added = NewBackend("added");
        Assert.Equal(TimeSpan.Zero, schedule.UntilNext([a, added], Start));
        Assert.Equal([added], schedule.Due([a, added], Start));
    }
}
