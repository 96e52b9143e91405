using QuantumEdge.Ledger.Batches;

namespace QuantumEdge.Ledger.Tests.Batches;

/// <summary>The behaviour every <see cref="IBatchStateStore"/> keeps, run against each engine by its own tests.</summary>
internal static class BatchStateChecks
{
    public const string Subject = "dr-batch-owner-7731";
    public const string SecretDetails = "{\"metadata\":{\"ward\":\"oncology-bed-12\"}}";

    public static BatchState NewBatch(string id, string subject = Subject, string status = "validating") => new()
    {
        Id = id,
        Owner = new BatchOwner(subject, "doctor", "cardiology"),
        Status = status,
        CreatedAt = 1_700_000_000,
        ExpiresAt = 1_700_086_400,
        Total = 3,
        Details = SecretDetails,
    };

    public static BatchLineState Line(int index, string status, string? error = null) => new()
    {
        Index = index,
        Status = status,
        Attempt = 1,
        RequestId = $"batch-line-{index}",
        ErrorCode = error,
        EntryOffset = index * 100L,
        EntryLength = 99,
        EntrySha256 = BatchLineStatuses.IsFinal(status) ? new string('a', 64) : null,
    };

    public static async Task Create_get_and_list_round_trip(IBatchStateStore store)
    {
        var created = await store.CreateAsync(NewBatch("batch_a"));
        await store.CreateAsync(NewBatch("batch_b", subject: "someone-else", status: "completed"));

        Assert.Equal(1, created.Version);
        var read = await store.GetAsync("batch_a");
        Assert.NotNull(read);
        Assert.Equal(new BatchOwner(Subject, "doctor", "cardiology"), read.Owner);
        Assert.Equal(("validating", 3, 1_700_086_400L, SecretDetails), (read.Status, read.Total, read.ExpiresAt!.Value, read.Details));
        Assert.Null(await store.GetAsync("batch_missing"));
        Assert.Equal(["batch_a", "batch_b"], (await store.ListAsync()).Select(b => b.Id).Order());
        Assert.Equal(["batch_a"], (await store.ListAsync(ownerSubject: Subject)).Select(b => b.Id));
        Assert.Equal(["batch_a"], (await store.ListAsync(unfinishedOnly: true)).Select(b => b.Id));
        var duplicate = await Assert.ThrowsAsync<LedgerException>(() => store.CreateAsync(NewBatch("batch_a")));
        Assert.Contains("batch_a", duplicate.Message, StringComparison.Ordinal);
    }

    public static async Task Update_is_compare_and_set_on_the_version(IBatchStateStore store)
    {
        var created = await store.CreateAsync(NewBatch("batch_cas"));
        var cancelling = await store.UpdateAsync(created with { Status = "cancelling" });
        // The executor, still holding version 1, loses: it must read the batch again.
        var stale = await store.UpdateAsync(created with { Status = "in_progress" });

        Assert.NotNull(cancelling);
        Assert.Equal(2, cancelling.Version);
        Assert.Null(stale);
        Assert.Equal("cancelling", (await store.GetAsync("batch_cas"))!.Status);
        Assert.Null(await store.UpdateAsync(NewBatch("batch_never_created") with { Version = 1 }));
    }

    public static async Task Lines_count_once_and_never_leave_a_final_status(IBatchStateStore store)
    {
        await store.CreateAsync(NewBatch("batch_lines"));
        Assert.True(await store.TryLeaseAsync("batch_lines", "replica-a", TimeSpan.FromMinutes(1)));

        Assert.True(await store.RecordLineAsync("batch_lines", "replica-a", Line(2, BatchLineStatuses.Running)));
        Assert.True(await store.RecordLineAsync("batch_lines", "replica-a", Line(2, BatchLineStatuses.Done)));
        Assert.True(await store.RecordLineAsync("batch_lines", "replica-a", Line(0, BatchLineStatuses.Failed, "insufficient_privacy_budget")));
        // A second answer for a finished line (a retry after a crash) is refused and counts nothing.
        Assert.False(await store.RecordLineAsync("batch_lines", "replica-a", Line(2, BatchLineStatuses.Done)));
        Assert.False(await store.RecordLineAsync("batch_lines", "replica-a", Line(2, BatchLineStatuses.Running)));
        Assert.True(await store.RecordLineAsync("batch_lines", "replica-a", Line(1, BatchLineStatuses.Running)));

        var batch = (await store.GetAsync("batch_lines"))!;
        Assert.Equal((1, 1), (batch.Completed, batch.Failed));
        var lines = await store.ReadLinesAsync("batch_lines");
        Assert.Equal([0, 1, 2], lines.Select(l => l.Index));
        Assert.Equal([BatchLineStatuses.Failed, BatchLineStatuses.Running, BatchLineStatuses.Done], lines.Select(l => l.Status));
        Assert.Equal("insufficient_privacy_budget", lines[0].ErrorCode);
        Assert.Equal(Line(2, BatchLineStatuses.Done), lines[2]);
        Assert.Empty(await store.ReadLinesAsync("batch_other"));
    }

    public static async Task The_lease_has_one_holder_until_it_expires(IBatchStateStore store, Action<TimeSpan> advanceClock)
    {
        await store.CreateAsync(NewBatch("batch_lease"));

        Assert.True(await store.TryLeaseAsync("batch_lease", "replica-a", TimeSpan.FromSeconds(30)));
        Assert.False(await store.TryLeaseAsync("batch_lease", "replica-b", TimeSpan.FromSeconds(30)));
        Assert.False(await store.RecordLineAsync("batch_lease", "replica-b", Line(0, BatchLineStatuses.Done)));
        advanceClock(TimeSpan.FromSeconds(20));
        Assert.True(await store.TryLeaseAsync("batch_lease", "replica-a", TimeSpan.FromSeconds(30))); // renewed: 30 s from now
        advanceClock(TimeSpan.FromSeconds(20));
        Assert.False(await store.TryLeaseAsync("batch_lease", "replica-b", TimeSpan.FromSeconds(30)));
        advanceClock(TimeSpan.FromSeconds(11));

        // replica-a stopped renewing: replica-b takes the batch over, and replica-a can no longer write its lines.
        Assert.True(await store.TryLeaseAsync("batch_lease", "replica-b", TimeSpan.FromSeconds(30)));
        Assert.Equal("replica-b", (await store.GetAsync("batch_lease"))!.LeaseHolder);
        Assert.False(await store.RecordLineAsync("batch_lease", "replica-a", Line(0, BatchLineStatuses.Done)));
        Assert.True(await store.RecordLineAsync("batch_lease", "replica-b", Line(0, BatchLineStatuses.Done)));

        await store.ReleaseLeaseAsync("batch_lease", "replica-a"); // not the holder: nothing changes
        Assert.Equal("replica-b", (await store.GetAsync("batch_lease"))!.LeaseHolder);
        await store.ReleaseLeaseAsync("batch_lease", "replica-b");
        Assert.Null((await store.GetAsync("batch_lease"))!.LeaseHolder);
        Assert.True(await store.TryLeaseAsync("batch_lease", "replica-a", TimeSpan.FromSeconds(30)));
        Assert.False(await store.TryLeaseAsync("batch_missing", "replica-a", TimeSpan.FromSeconds(30)));
    }

    public static async Task Hostile_values_are_refused_naming_the_field(IBatchStateStore store)
    {
        var tooLongId = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(NewBatch(new string('x', 65))));
        Assert.Contains("Id", tooLongId.Message, StringComparison.Ordinal);
        var details = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(NewBatch("batch_big") with { Details = new string('x', BatchState.MaxDetailsLength + 1) }));
        Assert.Contains("details", details.Message, StringComparison.Ordinal);
        await store.CreateAsync(NewBatch("batch_ok"));
        await store.TryLeaseAsync("batch_ok", "r", TimeSpan.FromMinutes(1));
        var status = await Assert.ThrowsAsync<ArgumentException>(() => store.RecordLineAsync("batch_ok", "r", Line(0, "exploded")));
        Assert.Contains("exploded", status.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ReadLinesAsync("batch_ok"));
    }
}
