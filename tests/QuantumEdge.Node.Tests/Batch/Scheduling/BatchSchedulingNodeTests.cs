using System.Net.Http.Headers;
using System.Text.Json;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Batch.Scheduling;

/// <summary>The node runs its batch lines through the planner-backed scheduler and shows it in <c>/quantum/status</c>.</summary>
public sealed class BatchSchedulingNodeTests
{
    [Fact]
    public async Task A_batch_runs_through_the_scheduler_and_quantum_status_shows_batch_planning()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("secure", TestNode.AllLevels)]);
        var token = node.Token();
        var fileId = await BatchCalls.UploadOkAsync(node.Http, token, BatchCalls.Lines(6));
        var batch = await BatchCalls.CreateBatchAsync(node.Http, token, fileId);

        var done = await BatchCalls.WaitFinalAsync(node.Http, token, batch.GetProperty("id").GetString()!);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(6, done.GetProperty("request_counts").GetProperty("completed").GetInt32());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/quantum/status");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await node.Http.SendAsync(request);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var planning = status.RootElement.GetProperty("batch_planning");
        // At least once per line: a dispatch the executor does not start (its batch.max_in_flight cap) is offered again later.
        Assert.True(planning.GetProperty("dispatched").GetInt64() >= 6);
        Assert.True(planning.GetProperty("solves").GetInt64() >= 1);
        Assert.Equal("cpu", planning.GetProperty("last_solve_device").GetString());
        Assert.Equal(0, planning.GetProperty("in_flight_lines").GetInt32());
    }
}
