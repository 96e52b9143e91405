using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Node.Batch;
using QuantumEdge.Node.Tests.Emergency;
using QuantumEdge.Node.Tests.Hosting;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Node.Tests.Batch;

/// <summary>
/// Issue 12's known limit, closed: on a PostgreSQL ledger shared by replicas, a replica that takes over a
/// batch finds the charge another replica made for a line and never recorded (it died first) on that
/// replica's chain, refunds it there and charges the line once itself: the owner pays once per line.
/// </summary>
public sealed class BatchTakeoverChargeTests
{
    [Fact]
    public async Task A_line_another_replica_charged_but_did_not_record_is_charged_once_when_this_replica_runs_it()
    {
        await using var postgres = await TemporaryPostgres.CreateAsync();
        var shared = Path.Combine(Path.GetTempPath(), "qe-takeover-pg-" + Guid.NewGuid().ToString("N"));
        var keys = Path.Combine(shared, "keys");
        using (NodeIdentity.LoadOrCreate(keys, out _))
        {
            // The replicas share the node key, as they share MASTER_KEY.
        }

        Func<NodeConfiguration, NodeConfiguration> Replica(string id) => c => c with
        {
            Storage = c.Storage with { Backend = "postgresql", NodeKeyDir = keys, PostgreSql = c.Storage.PostgreSql with { ReplicaId = id } },
            LedgerConnectionString = postgres.ConnectionString,
            Batch = c.Batch with { FilesDir = Path.Combine(shared, "files") },
        };

        try
        {
            string batchId, owner;
            DateTimeOffset since;
            await using (var a = await TestNode.StartAsync([new TestNode.Sim("secure", TestNode.AllLevels)], configure: Replica("replica-a")))
            {
                // Halted, replica a begins the batch (it holds the lease) but runs no line of it.
                using (var halt = await EmergencyCalls.PostAsync(a, "/admin/halt", """{"reason":"stage the takeover"}"""))
                {
                    Assert.True(halt.IsSuccessStatusCode, await halt.Content.ReadAsStringAsync());
                }

                owner = EmergencyCalls.Admin(a);
                var fileId = await BatchCalls.UploadOkAsync(a.Http, owner, BatchCalls.Lines(3));
                batchId = (await BatchCalls.CreateBatchAsync(a.Http, owner, fileId, """{"data_classification":"phi"}""")).GetProperty("id").GetString()!;
                since = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
                await BatchCalls.WaitAsync(a.Http, owner, batchId, x => x.GetProperty("status").GetString() == "in_progress");
            }

            // Replica a stopped without finishing (its lease runs out). A third replica, dead now, had charged line 0
            // on its own chain and never recorded it: that charge is what replica b must not add to.
            await using var b = await TestNode.StartAsync([new TestNode.Sim("secure", TestNode.AllLevels)], configure: Replica("replica-b"));
            await using var dead = LedgerFactory.Open(Replica("replica-dead")(b.Node.Config));
            var charged = await dead.ChargeAsync(new ChargeRequest
            {
                UserId = "it.admin",
                Department = "it",
                Role = "admin",
                RequestId = BatchIds.LineRequestId(batchId, 0),
                Classification = "restricted",
                Model = "clinical-7b",
                PromptHmac = "00",
            });
            Assert.True(charged.Admitted);
            Assert.Equal(1, (await dead.GetBudgetAsync("it.admin")).State.Queries);

            // Replica b takes the batch over once a's lease has expired (30 s) and runs it to the end.
            var done = await BatchCalls.WaitFinalAsync(b.Http, owner, batchId, seconds: 180);
            Assert.Equal("completed", done.GetProperty("status").GetString());
            Assert.Equal(3, done.GetProperty("request_counts").GetProperty("completed").GetInt32());

            // Three lines, three charges standing, all on b's chain; the dead replica's charge was refunded on its chain.
            Assert.Equal(3, (await dead.GetBudgetAsync("it.admin")).State.Queries);
            var standing = await ((IReplicaChains)dead).FindUnrefundedChargesAsync(batchId + "-line-", since);
            Assert.All(standing, c => Assert.Equal("replica-b", c.Chain));
            Assert.Equal(Enumerable.Range(0, 3).Select(i => BatchIds.LineRequestId(batchId, i)).Order(), standing.Select(c => c.RequestId).Order());
            var verification = await dead.VerifyAsync();
            Assert.True(verification.IsValid, verification.ToString());
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }
}
