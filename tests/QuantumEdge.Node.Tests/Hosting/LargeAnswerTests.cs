using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>Runs alone: it measures the process's managed memory.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

/// <summary>Large non-streamed answers are relayed as they arrive, not held: memory stays bounded however many flow at once.</summary>
[Collection(nameof(MemoryMeasurement))]
public sealed class LargeAnswerTests
{
    private const int Clients = 8;
    private const int FillerBytes = 60 * 1024 * 1024;
    private const long Checkpoint = 15 * 1024 * 1024;
    private static readonly byte[] Prefix = "{\"id\":\"big\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"clinical-7b\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""u8.ToArray();
    private static readonly byte[] Suffix = "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":123,\"total_tokens\":130}}"u8.ToArray();

    private static async Task AnswerHugeAsync(HttpContext ctx, HostileBackend backend)
    {
        var filler = new byte[1024 * 1024];
        filler.AsSpan().Fill((byte)'x');
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = Prefix.Length + (long)FillerBytes + Suffix.Length;
        await backend.WriteAsync(ctx, Prefix);
        for (var sent = 0; sent < FillerBytes; sent += filler.Length)
        {
            await backend.WriteAsync(ctx, filler);
        }

        await backend.WriteAsync(ctx, Suffix);
    }

    [Fact]
    public async Task Eight_concurrent_60_MB_answers_reach_their_clients_whole_without_being_held()
    {
        await using var huge = await HostileBackend.StartAsync(AnswerHugeAsync);
        await using var node = await TestNode.StartAsync([new TestNode.Sim("huge", TestNode.AllLevels, Url: huge.BaseUrl)]);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        var allAtCheckpoint = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var measured = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var atCheckpoint = 0;
        var clients = Enumerable.Range(0, Clients).Select(async _ =>
        {
            using var response = await node.Http.SendAsync(node.Chat(node.Token(), "public"), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64 * 1024];
            var tail = new List<byte>();
            long total = 0;
            var paused = false;
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                total += read;
                tail.AddRange(buffer.AsSpan(Math.Max(0, read - Suffix.Length), Math.Min(read, Suffix.Length)).ToArray());
                if (tail.Count > Suffix.Length)
                {
                    tail.RemoveRange(0, tail.Count - Suffix.Length);
                }

                if (!paused && total >= Checkpoint)
                {
                    // Every client holds here until all are mid-answer: the node then has eight answers in flight at once.
                    paused = true;
                    if (Interlocked.Increment(ref atCheckpoint) == Clients)
                    {
                        allAtCheckpoint.SetResult();
                    }

                    await measured.Task;
                }
            }

            return (total, Encoding.ASCII.GetString([.. tail]));
        }).ToList();

        await allAtCheckpoint.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var inFlight = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        measured.SetResult();
        var results = await Task.WhenAll(clients);

        // Held in memory, eight answers are 480 MB; relayed, the node keeps a few buffers per request.
        Assert.True(inFlight < 96L * 1024 * 1024, $"{inFlight / (1024 * 1024)} MiB more managed memory with eight large answers in flight");
        Assert.All(results, r =>
        {
            Assert.Equal(Prefix.Length + (long)FillerBytes + Suffix.Length, r.total);
            Assert.Equal(Encoding.ASCII.GetString(Suffix), r.Item2);
        });
        // The usage at the end of each answer was still metered.
        Assert.Equal(Clients * 123, node.Node.Metrics.Tokens.WithLabels("huge", "completion").Value);
    }
}
