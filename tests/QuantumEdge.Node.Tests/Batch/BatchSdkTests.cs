using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Batch;
using OpenAI.Files;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Tests.Hosting;

#pragma warning disable OPENAI001 // the SDK marks its Batch client experimental

namespace QuantumEdge.Node.Tests.Batch;

/// <summary>The official OpenAI .NET SDK's file and batch clients against a node, unchanged.</summary>
public sealed class BatchSdkTests
{
    private static OpenAIClient Client(TestNode node, string token) =>
        new(new ApiKeyCredential(token), new OpenAIClientOptions { Endpoint = new Uri(node.Node.ApiAddress + "/v1") });

    private static BinaryContent CreateRequest(string fileId) => BinaryContent.Create(BinaryData.FromString(
        $$$"""{"input_file_id":"{{{fileId}}}","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"data_classification":"public","ward":"4B"}}"""));

    [Fact]
    public async Task The_sdk_uploads_a_file_runs_a_batch_and_downloads_its_output()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("secure", TestNode.AllLevels)]);
        var client = Client(node, node.Token(sub: "dr.sdk"));
        var files = client.GetOpenAIFileClient();
        var batches = client.GetBatchClient();

        OpenAIFile uploaded = await files.UploadFileAsync(BinaryData.FromString(BatchCalls.Lines(5)), "ward.jsonl", FileUploadPurpose.Batch);
        Assert.Equal("ward.jsonl", uploaded.Filename);
        Assert.Equal(FilePurpose.Batch, uploaded.Purpose);
        OpenAIFile fetched = await files.GetFileAsync(uploaded.Id);
        Assert.Equal(uploaded.SizeInBytes, fetched.SizeInBytes);
        OpenAIFileCollection listed = await files.GetFilesAsync();
        Assert.Contains(listed, f => f.Id == uploaded.Id);

        var operation = await batches.CreateBatchAsync(CreateRequest(uploaded.Id), waitUntilCompleted: true);

        using var batch = JsonDocument.Parse((await operation.GetBatchAsync(new RequestOptions())).GetRawResponse().Content.ToString());
        var root = batch.RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        var errorFile = root.GetProperty("error_file_id").GetString() is { } errorId ? (await files.DownloadFileAsync(errorId)).Value.ToString() : "";
        Assert.True(5 == root.GetProperty("request_counts").GetProperty("completed").GetInt32(), root + errorFile);
        Assert.Equal("4B", root.GetProperty("metadata").GetProperty("ward").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error_file_id").ValueKind);
        BinaryData output = await files.DownloadFileAsync(root.GetProperty("output_file_id").GetString()!);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"req-{i}").Order(), lines.Select(l => l.GetProperty("custom_id").GetString()).Order());
        Assert.All(lines, l =>
        {
            Assert.StartsWith("batch_req_", l.GetProperty("id").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(l.GetProperty("response").GetProperty("body").GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()));
        });
        Assert.Equal(5, node.Sims[0].Succeeded);

        var seen = new List<string>();
        await foreach (var item in batches.GetBatchesAsync(new BatchCollectionOptions { PageSizeLimit = 1 }))
        {
            seen.Add(item.Id);
        }

        Assert.Equal([root.GetProperty("id").GetString()!], seen);
        FileDeletionResult deleted = await files.DeleteFileAsync(uploaded.Id);
        Assert.True(deleted.Deleted);
    }

    [Fact]
    public async Task The_sdk_cancels_a_running_batch()
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("slow", TestNode.AllLevels, new SimulatedBackendOptions { Name = "slow", TimeScale = 0.3 })],
            configure: c => c with { Batch = c.Batch with { MaxInFlight = 1 } });
        var client = Client(node, node.Token(sub: "dr.cancel"));
        OpenAIFile uploaded = await client.GetOpenAIFileClient().UploadFileAsync(BinaryData.FromString(BatchCalls.Lines(40)), "many.jsonl", FileUploadPurpose.Batch);
        var operation = await client.GetBatchClient().CreateBatchAsync(CreateRequest(uploaded.Id), waitUntilCompleted: false);

        // Cancel once the first line is done: the batch is then surely running, and far from finished.
        await BatchCalls.WaitAsync(node.Http, node.Token(sub: "dr.cancel"), operation.BatchId,
            b => b.GetProperty("request_counts").GetProperty("completed").GetInt32() >= 1);
        var cancelled = await operation.CancelAsync(new RequestOptions());
        using (var answer = JsonDocument.Parse(cancelled.GetRawResponse().Content.ToString()))
        {
            Assert.Contains(answer.RootElement.GetProperty("status").GetString(), new[] { "cancelling", "cancelled" });
        }

        await operation.WaitForCompletionAsync();
        using var final = JsonDocument.Parse((await operation.GetBatchAsync(new RequestOptions())).GetRawResponse().Content.ToString());
        var root = final.RootElement;
        Assert.Equal("cancelled", root.GetProperty("status").GetString());
        Assert.True(root.GetProperty("cancelled_at").GetInt64() > 0);
        var completed = root.GetProperty("request_counts").GetProperty("completed").GetInt32();
        Assert.InRange(completed, 1, 39);
        BinaryData output = await client.GetOpenAIFileClient().DownloadFileAsync(root.GetProperty("output_file_id").GetString()!);
        Assert.Equal(completed, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(completed, node.Sims[0].Succeeded);
    }
}
