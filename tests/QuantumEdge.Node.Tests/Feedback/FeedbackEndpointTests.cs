using System.Globalization;
using System.Net;
using System.Text.Json;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Hosting;
using QuantumEdge.Node.Tests.Federation;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Feedback;

public sealed class FeedbackEndpointTests
{
    [Fact]
    public async Task An_answer_can_be_rated_once_and_the_rating_is_audited_without_text()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("gpu", TestNode.OpenLevels)]);
        var token = node.Token();
        var id = await CompleteAsync(node, token);

        using var first = await RateAsync(node, token, $$"""{"completion_id":"{{id}}","score":0.75,"category":"chat"}""");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var doc = JsonDocument.Parse(await first.Content.ReadAsStringAsync()))
        {
            Assert.Equal(id, doc.RootElement.GetProperty("completion_id").GetString());
            Assert.Equal(0.75, doc.RootElement.GetProperty("score").GetDouble());
        }

        using var second = await RateAsync(node, token, $$"""{"completion_id":"{{id}}","score":-1,"category":"chat"}""");
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("feedback_exists", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var feedback = (await AuditTrail.AllAsync(node)).Where(r => r.Entry.Decision == "feedback").ToList();
        var record = Assert.Single(feedback);
        Assert.Equal(id, record.Entry.RequestId);
        Assert.Equal("dr.test", record.Entry.UserId);
        Assert.Equal("clinical-7b", record.Entry.Model);
        Assert.Equal("score=0.75;category=chat", record.Entry.Detail);
    }

    [Fact]
    public async Task A_score_of_negative_zero_is_recorded_and_echoed_as_zero()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("gpu", TestNode.OpenLevels)]);
        var token = node.Token();
        var id = await CompleteAsync(node, token);

        using var rated = await RateAsync(node, token, $$"""{"completion_id":"{{id}}","score":-0.0,"category":"chat"}""");

        Assert.Equal(HttpStatusCode.OK, rated.StatusCode);
        Assert.Contains("\"score\":0,", await rated.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var record = Assert.Single(await AuditTrail.AllAsync(node), r => r.Entry.Decision == "feedback");
        Assert.Equal("score=0;category=chat", record.Entry.Detail);
    }

    [Theory]
    [InlineData("""{"completion_id":"ID","score":0.5,"category":"chat","score":1}""", "duplicate key 'score'")]
    [InlineData("""{"completion_id":"ID","score":1.5,"category":"chat"}""", "'score' must be a number between -1 and 1")]
    [InlineData("""{"completion_id":"ID","score":-1.01,"category":"chat"}""", "'score' must be a number between -1 and 1")]
    [InlineData("""{"completion_id":"ID","score":"good","category":"chat"}""", "'score' must be a number")]
    [InlineData("""{"completion_id":"ID","score":0.5,"category":"diagnosis"}""", "'category' must be one of chat, completions, embeddings; got 'diagnosis'")]
    [InlineData("""{"completion_id":"ID","score":0.5}""", "'category' is required")]
    [InlineData("""{"completion_id":"ID","score":0.5,"category":"chat","comment":"x"}""", "unknown key 'comment'")]
    [InlineData("""{"completion_id":"qe-00000000000000000000000000000000","score":0.5,"category":"chat"}""", "unknown completion")]
    [InlineData("""{"completion_id":"\ud800","score":0.5,"category":"chat"}""", "not valid Unicode text")]
    [InlineData("""{"completion_id":"ID","score":0.5,"category":"ch\udc00at"}""", "not valid Unicode text")]
    [InlineData("""{"completion_id":"ID","score":0.5,"\ud800":1}""", "not valid Unicode text")]
    [InlineData("""[1]""", "body must be a JSON object")]
    [InlineData("""{"completion_id":"ID","score":0.5,"category":"chat",}""", "not valid JSON")]
    public async Task A_bad_rating_is_refused_with_400_naming_the_problem_and_nothing_is_audited(string body, string problem)
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("gpu", TestNode.OpenLevels)]);
        var token = node.Token();
        var id = await CompleteAsync(node, token);

        using var answer = await RateAsync(node, token, body.Replace("\"ID\"", $"\"{id}\"", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        using (var error = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()))
        {
            Assert.Contains(problem, error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(await AuditTrail.AllAsync(node), r => r.Entry.Decision == "feedback");

        // The completion can still be rated properly.
        using var good = await RateAsync(node, token, $$"""{"completion_id":"{{id}}","score":0,"category":"chat"}""");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Fact]
    public async Task A_rating_that_is_not_UTF_8_is_refused_with_400()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("gpu", TestNode.OpenLevels)]);
        var token = node.Token();
        var id = await CompleteAsync(node, token);
        byte[] body = [.. System.Text.Encoding.UTF8.GetBytes($$"""{"completion_id":"{{id}}","score":0.5,"category":"ch"""), 0xFF, .. "at\"}"u8];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/feedback") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Bearer", token);

        using var answer = await node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("not valid UTF-8", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(await AuditTrail.AllAsync(node), r => r.Entry.Decision == "feedback");
    }

    [Fact]
    public async Task Another_users_completion_is_unknown_to_them_but_an_administrator_may_rate_it()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("gpu", TestNode.OpenLevels)]);
        var id = await CompleteAsync(node, node.Token(sub: "dr.owner"));
        var body = $$"""{"completion_id":"{{id}}","score":1,"category":"chat"}""";

        using var other = await RateAsync(node, node.Token(sub: "dr.other"), body);
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Contains("unknown_completion", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var noToken = await RateAsync(node, null, body);
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);

        using var admin = await RateAsync(node, node.Token(role: "admin", sub: "it.admin"), body);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task The_one_rating_rule_and_the_completions_survive_a_restart()
    {
        var dataDir = Directory.CreateTempSubdirectory("qe-feedback-").FullName;
        await using var sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "gpu", TimeScale = 0 });
        try
        {
            string rated;
            string unrated;
            await using (var first = await StartAsync(dataDir, sim))
            {
                first.KeepDataDirectory = true;
                var token = first.Token();
                rated = await CompleteAsync(first, token);
                unrated = await CompleteAsync(first, token);
                using var ok = await RateAsync(first, token, $$"""{"completion_id":"{{rated}}","score":1,"category":"chat"}""");
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }

            await using var second = await StartAsync(dataDir, sim);
            var again = second.Token();
            using var twice = await RateAsync(second, again, $$"""{"completion_id":"{{rated}}","score":-1,"category":"chat"}""");
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
            using var later = await RateAsync(second, again, $$"""{"completion_id":"{{unrated}}","score":0.5,"category":"completions"}""");
            Assert.Equal(HttpStatusCode.OK, later.StatusCode);
            using var otherUser = await RateAsync(second, second.Token(sub: "dr.other"), $$"""{"completion_id":"{{unrated}}","score":0.5,"category":"chat"}""");
            Assert.Equal(HttpStatusCode.BadRequest, otherUser.StatusCode);
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }

        }
    }

    [Fact]
    public async Task With_federation_a_rating_lands_in_the_feedback_cells_of_the_completions_model()
    {
        await using var federation = await FederatedNodes.StartAsync(2);
        var a = federation.Nodes[0];
        var token = a.Token();
        var id = await CompleteAsync(a, token);

        using var answer = await RateAsync(a, token, $$"""{"completion_id":"{{id}}","score":-0.5,"category":"chat"}""");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("\"federated\":true", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var chat = a.Node.Federation!.Member.Observations.LocalCells().Single(c => c is { Model: "clinical-7b", Category: "chat" });
        Assert.Equal(1, chat.FeedbackCount);
        Assert.Equal(-0.5, chat.FeedbackSum);
    }

    private static async Task<string> CompleteAsync(TestNode node, string token)
    {
        using var answer = await node.Http.SendAsync(node.Chat(token, "public"));
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        var id = Assert.Single(answer.Headers.GetValues("X-QuantumEdge-Completion-Id"));
        Assert.Matches("^qe-[0-9a-f]{32}$", id);
        return id;
    }

    private static Task<HttpResponseMessage> RateAsync(TestNode node, string? token, string body) =>
        node.Http.SendAsync(TestNode.Raw("/v1/feedback", body, token, classification: null));

    private static Task<TestNode> StartAsync(string dataDir, SimulatedBackend sim) =>
        TestNode.StartAsync([new TestNode.Sim("gpu", TestNode.OpenLevels, Url: new Uri(sim.BaseUrl + "/"))],
            configure: c => c with { Node = c.Node with { DataDir = dataDir } });
}
