using System.Text;
using QuantumEdge.Ledger.Batches;

namespace QuantumEdge.Ledger.Tests.Batches;

/// <summary>Batch and line state in the embedded ledger file.</summary>
public sealed class LiteDbBatchStateStoreTests
{
    [Fact]
    public async Task Create_get_and_list_round_trip()
    {
        using var ctx = new LedgerTestContext();
        await using var ledger = ctx.Open();
        await BatchStateChecks.Create_get_and_list_round_trip(ledger.BatchStates);
    }

    [Fact]
    public async Task Update_is_compare_and_set_on_the_version()
    {
        using var ctx = new LedgerTestContext();
        await using var ledger = ctx.Open();
        await BatchStateChecks.Update_is_compare_and_set_on_the_version(ledger.BatchStates);
    }

    [Fact]
    public async Task Lines_count_once_and_never_leave_a_final_status()
    {
        using var ctx = new LedgerTestContext();
        await using var ledger = ctx.Open();
        await BatchStateChecks.Lines_count_once_and_never_leave_a_final_status(ledger.BatchStates);
    }

    [Fact]
    public async Task The_lease_has_one_holder_until_it_expires()
    {
        using var ctx = new LedgerTestContext();
        await using var ledger = ctx.Open();
        await BatchStateChecks.The_lease_has_one_holder_until_it_expires(ledger.BatchStates, ctx.Time.Advance);
    }

    [Fact]
    public async Task Hostile_values_are_refused_naming_the_field()
    {
        using var ctx = new LedgerTestContext();
        await using var ledger = ctx.Open();
        await BatchStateChecks.Hostile_values_are_refused_naming_the_field(ledger.BatchStates);
    }

    [Fact]
    public async Task Acknowledged_state_is_there_after_reopening_and_the_file_holds_no_plain_owner_or_details()
    {
        using var ctx = new LedgerTestContext();
        await using (var ledger = ctx.Open())
        {
            await ledger.BatchStates.CreateAsync(BatchStateChecks.NewBatch("batch_durable"));
            await ledger.BatchStates.TryLeaseAsync("batch_durable", "node", TimeSpan.FromMinutes(1));
            await ledger.BatchStates.RecordLineAsync("batch_durable", "node", BatchStateChecks.Line(1, BatchLineStatuses.Done));
        }

        var raw = await File.ReadAllBytesAsync(ctx.DatabasePath);
        Assert.Equal(-1, raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(BatchStateChecks.Subject)));
        Assert.Equal(-1, raw.AsSpan().IndexOf("oncology-bed-12"u8));
        Assert.Equal(-1, raw.AsSpan().IndexOf("cardiology"u8));

        await using var reopened = ctx.Open();
        var batch = await reopened.BatchStates.GetAsync("batch_durable");
        Assert.Equal((BatchStateChecks.Subject, 1), (batch!.Owner.Subject, batch.Completed));
        Assert.Single(await reopened.BatchStates.ReadLinesAsync("batch_durable"));
        Assert.True((await reopened.VerifyAsync()).IsValid);
    }
}
