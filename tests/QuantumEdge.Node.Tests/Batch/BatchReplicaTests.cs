using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Node.Tests.Hosting;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Node.Tests.Batch;

/// <summary>Two nodes on one PostgreSQL ledger and one shared files volume: a batch created on one is seen, listed, read and cancelled on the other.</summary>
public sealed class BatchReplicaTests
{
    [Fact]
    public async Task A_batch_created_on_one_replica_is_listed_read_and_cancelled_on_the_other()
    {
        await using var postgres = await TemporaryPostgres.CreateAsync();
        var shared = Path.Combine(Path.GetTempPath(), "qe-bstate-pg-" + Guid.NewGuid().ToString("N"));
        var keys = Path.Combine(shared, "keys");
        using (NodeIdentity.LoadOrCreate(keys, out _))
        {
            // The replicas share the node key, as they share MASTER_KEY.
        }

        Func<NodeConfiguration, NodeConfiguration> Replica(string id) => c => c with
        {
            Storage = c.Storage with { Backend = "postgresql", NodeKeyDir = keys, PostgreSql = c.Storage.PostgreSql with { ReplicaId = id } },
            LedgerConnectionString = postgres.ConnectionString,
            Batch = c.Batch with { FilesDir = Path.Combine(shared, "files"), MaxInFlight = 1 },
        };

        try
        {
            // Real-time answers and one line at a time: the batch is still running when the other replica cancels it.
            var slow = new SimulatedBackendOptions { TimeScale = 1.0 };
            await using var a = await TestNode.StartAsync([new TestNode.Sim("secure", TestNode.AllLevels, slow)], configure: Replica("replica-a"));
            await using var b = await TestNode.StartAsync([new TestNode.Sim("secure", TestNode.AllLevels, slow)], configure: Replica("replica-b"));
            var owner = a.Token(sub: "dr.replicas");
            var fileId = await BatchCalls.UploadOkAsync(a.Http, owner, BatchCalls.Lines(20));
            var batchId = (await BatchCalls.CreateBatchAsync(a.Http, owner, fileId, """{"data_classification":"public"}""")).GetProperty("id").GetString()!;

            var seen = await BatchCalls.WaitAsync(b.Http, owner, batchId, x => x.GetProperty("status").GetString() == "in_progress");
            Assert.Equal(20, seen.GetProperty("request_counts").GetProperty("total").GetInt32());
            using (var list = await BatchCalls.SendAsync(b.Http, HttpMethod.Get, "/v1/batches", owner))
            {
                var ids = (await BatchCalls.JsonAsync(list)).GetProperty("data").EnumerateArray().Select(x => x.GetProperty("id").GetString()).ToList();
                Assert.Equal([batchId], ids);
            }

            using (var hidden = await BatchCalls.SendAsync(b.Http, HttpMethod.Get, "/v1/batches/" + batchId, b.Token(sub: "dr.other")))
            {
                Assert.Equal(System.Net.HttpStatusCode.NotFound, hidden.StatusCode);
            }

            using (var cancel = await BatchCalls.SendAsync(b.Http, HttpMethod.Post, $"/v1/batches/{batchId}/cancel", owner))
            {
                var body = await BatchCalls.JsonAsync(cancel);
                Assert.True(cancel.IsSuccessStatusCode, body.ToString());
                Assert.Equal("cancelling", body.GetProperty("status").GetString());
            }

            // Replica a runs the batch (it holds the lease): it sees the cancel and ends the batch; both replicas report it.
            var done = await BatchCalls.WaitFinalAsync(a.Http, owner, batchId);
            Assert.Equal("cancelled", done.GetProperty("status").GetString());
            var completed = done.GetProperty("request_counts").GetProperty("completed").GetInt32();
            Assert.InRange(completed, 0, 19);
            var fromB = await BatchCalls.WaitFinalAsync(b.Http, owner, batchId);
            Assert.Equal(("cancelled", completed), (fromB.GetProperty("status").GetString(), fromB.GetProperty("request_counts").GetProperty("completed").GetInt32()));
            if (completed > 0)
            {
                // The output written on replica a's side of the shared volume downloads through replica b.
                Assert.Equal(completed, (await BatchCalls.ContentAsync(b.Http, owner, fromB.GetProperty("output_file_id").GetString()!)).Count);
            }
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }
}
