using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Models;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>The official OpenAI .NET SDK talking to a running gateway.</summary>
public sealed class OpenAiSdkTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() =>
        _node = await TestNode.StartAsync([new TestNode.Sim("secure", TestNode.AllLevels, new() { Name = "secure", TimeScale = 0, Models = ["clinical-7b", "embed-small"] })]);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private OpenAIClientOptions Options(string classification = "phi")
    {
        var options = new OpenAIClientOptions { Endpoint = new Uri(_node.Node.ApiAddress + "/v1") };
        options.AddPolicy(new HeaderPolicy("X-Data-Classification", classification), PipelinePosition.PerCall);
        return options;
    }

    [Fact]
    public async Task Chat_completion_non_streaming_returns_text_and_usage()
    {
        var client = new ChatClient("clinical-7b", new ApiKeyCredential(_node.Token()), Options());
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Summarise the ICU handover for bed 4.")]);

        Assert.False(string.IsNullOrWhiteSpace(completion.Content[0].Text));
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.True(completion.Usage.OutputTokenCount > 0);
        Assert.Equal(1, _node.Sims[0].Succeeded);
    }

    [Fact]
    public async Task Chat_completion_streaming_matches_the_non_streamed_text()
    {
        var client = new ChatClient("clinical-7b", new ApiKeyCredential(_node.Token()), Options());
        var prompt = new UserChatMessage("Draft a discharge summary.");
        ChatCompletion whole = await client.CompleteChatAsync([prompt]);

        var text = new System.Text.StringBuilder();
        var updates = 0;
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync([prompt]))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
        }

        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.True(updates > 3, $"expected many streamed chunks, got {updates}");
        Assert.NotNull(usage);
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Embeddings_and_models_work_through_the_sdk()
    {
        var embeddings = new EmbeddingClient("embed-small", new ApiKeyCredential(_node.Token()), Options("public"));
        OpenAIEmbedding embedding = await embeddings.GenerateEmbeddingAsync("chest pain, troponin negative");
        Assert.Equal(64, embedding.ToFloats().Length);

        var models = new OpenAIModelClient(new ApiKeyCredential(_node.Token()), Options());
        OpenAIModelCollection list = await models.GetModelsAsync();
        Assert.Equal(["clinical-7b", "embed-small"], list.Select(m => m.Id).Order().ToArray());
    }

    [Fact]
    public async Task Sdk_sees_refusals_as_client_errors_with_status()
    {
        var client = new ChatClient("clinical-7b", new ApiKeyCredential("not-a-token"), Options());
        var e = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, e.Status);
        Assert.Equal(0, _node.Sims[0].Received);
    }

    private sealed class HeaderPolicy(string name, string value) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(name, value);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(name, value);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}
