using System.Net;
using System.Text.Json;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Batch;

/// <summary>The Files and Batch API over HTTP: validation naming the line, ownership, permissions, per-line privacy and classification.</summary>
public sealed class BatchApiTests
{
    private static Task<TestNode> StartAsync(Func<NodeConfiguration, NodeConfiguration>? configure = null, TestNode.Sim? sim = null) =>
        TestNode.StartAsync([sim ?? new TestNode.Sim("secure", TestNode.AllLevels)], configure: configure);

    [Theory]
    [InlineData("dup", 3, "custom_id 'a' is already used on line 1")]
    [InlineData("url", 2, "'url' must be one of")]
    [InlineData("body", 2, "body is not a valid /v1/chat/completions request: 'messages' must be a non-empty array")]
    [InlineData("method", 2, "'method' must be \"POST\"")]
    [InlineData("json", 2, "is not valid JSON")]
    [InlineData("field", 2, "unknown field 'headers'")]
    [InlineData("stream", 2, "cannot stream")]
    [InlineData("model", 2, "model 'no-such-model' is not served")]
    [InlineData("surrogate-id", 2, "not valid Unicode text")]
    [InlineData("surrogate-url", 2, "not valid Unicode text")]
    [InlineData("surrogate-class", 2, "not valid Unicode text")]
    [InlineData("surrogate-key", 2, "not valid Unicode text")]
    public async Task An_invalid_line_is_refused_naming_its_number_and_the_problem(string problem, int line, string message)
    {
        await using var node = await StartAsync();
        var good = BatchCalls.ChatLine("a", "one");
        var bad = problem switch
        {
            "dup" => BatchCalls.ChatLine("a", "three"),
            "url" => BatchCalls.ChatLine("b", "two", url: "/v1/admin/halt"),
            "body" => """{"custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{"model":"clinical-7b"}}""",
            "method" => """{"custom_id":"b","method":"GET","url":"/v1/chat/completions","body":{"model":"clinical-7b","messages":[{"role":"user","content":"x"}]}}""",
            "json" => """{"custom_id":"b",""",
            "field" => """{"custom_id":"b","method":"POST","url":"/v1/chat/completions","headers":{},"body":{"model":"clinical-7b","messages":[{"role":"user","content":"x"}]}}""",
            "stream" => """{"custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{"model":"clinical-7b","stream":true,"messages":[{"role":"user","content":"x"}]}}""",
            "surrogate-id" => BatchCalls.ChatLine("\\ud800", "two"),
            "surrogate-url" => BatchCalls.ChatLine("b", "two", url: "/v1/chat/completions\\udc00"),
            "surrogate-class" => BatchCalls.ChatLine("b", "two", classification: "pub\\ud800lic"),
            "surrogate-key" => """{"custom_id":"b","\ud800":1,"method":"POST","url":"/v1/chat/completions","body":{"model":"clinical-7b","messages":[{"role":"user","content":"x"}]}}""",
            _ => BatchCalls.ChatLine("b", "two", model: "no-such-model"),
        };
        var jsonl = problem == "dup" ? $"{good}\n{BatchCalls.ChatLine("b", "two")}\n{bad}\n" : $"{good}\n{bad}\n";

        using var response = await BatchCalls.UploadAsync(node.Http, node.Token(), jsonl);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await BatchCalls.JsonAsync(response)).GetProperty("error");
        Assert.Equal("invalid_file", error.GetProperty("code").GetString());
        var text = error.GetProperty("message").GetString()!;
        Assert.StartsWith($"line {line}", text, StringComparison.Ordinal);
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(node.Node.Config.Node.DataDir, "batch", "files")));
    }

    [Fact]
    public async Task A_line_that_is_not_UTF_8_is_refused_naming_its_number()
    {
        await using var node = await StartAsync();
        byte[] jsonl = [.. System.Text.Encoding.UTF8.GetBytes(BatchCalls.ChatLine("a", "one") + "\n{\"custom_id\":\"b"), 0xFF,
            .. System.Text.Encoding.UTF8.GetBytes("\"" + BatchCalls.ChatLine("x", "two")[16..] + "\n")];

        using var response = await BatchCalls.UploadAsync(node.Http, node.Token(), jsonl);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await BatchCalls.JsonAsync(response)).GetProperty("error");
        Assert.Equal("invalid_file", error.GetProperty("code").GetString());
        Assert.Equal("line 2 is not valid UTF-8", error.GetProperty("message").GetString());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(node.Node.Config.Node.DataDir, "batch", "files")));
    }

    [Fact]
    public async Task A_file_that_starts_with_a_UTF_8_byte_order_mark_is_accepted_and_every_line_runs()
    {
        await using var node = await StartAsync();
        var token = node.Token(sub: "dr.bom");
        byte[] jsonl = [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(BatchCalls.ChatLine("first", "one") + "\r\n" + BatchCalls.ChatLine("second", "two") + "\r\n")];
        using var upload = await BatchCalls.UploadAsync(node.Http, token, jsonl);
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var uploaded = await BatchCalls.JsonAsync(upload);
        var batchId = (await BatchCalls.CreateBatchAsync(node.Http, token, uploaded.GetProperty("id").GetString()!)).GetProperty("id").GetString()!;

        var done = await BatchCalls.WaitFinalAsync(node.Http, token, batchId);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        var output = await BatchCalls.ContentAsync(node.Http, token, done.GetProperty("output_file_id").GetString()!);
        Assert.Equal(["first", "second"], output.Select(l => l.GetProperty("custom_id").GetString()!).Order().ToArray());
        Assert.All(output, l => Assert.Equal(200, l.GetProperty("response").GetProperty("status_code").GetInt32()));
    }

    [Fact]
    public async Task A_byte_order_mark_anywhere_but_the_start_of_the_file_is_refused_naming_its_line()
    {
        await using var node = await StartAsync();
        byte[] jsonl = [.. System.Text.Encoding.UTF8.GetBytes(BatchCalls.ChatLine("a", "one") + "\n"), 0xEF, 0xBB, 0xBF,
            .. System.Text.Encoding.UTF8.GetBytes(BatchCalls.ChatLine("b", "two") + "\n")];

        using var response = await BatchCalls.UploadAsync(node.Http, node.Token(), jsonl);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await BatchCalls.JsonAsync(response)).GetProperty("error").GetProperty("message").GetString()!;
        Assert.StartsWith("line 2", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("in the file part")]
    [InlineData("in the purpose field")]
    public async Task An_upload_cut_off_before_its_closing_boundary_is_refused_with_400(string where)
    {
        await using var node = await StartAsync();
        var body = where == "in the file part"
            ? "--XX\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jsonl\"\r\n\r\n" + BatchCalls.ChatLine("a", "one")
            : "--XX\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbat";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/files") { Content = new StringContent(body) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=XX");
        request.Headers.Authorization = new("Bearer", node.Token());

        using var response = await node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("the upload ended before its closing boundary", (await BatchCalls.JsonAsync(response)).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(node.Node.Config.Node.DataDir, "batch", "files")));
    }

    [Theory]
    [InlineData("""{"input_file_id":"FILE","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"data_classification":"restricted","data_classification":"public"}}""", "data_classification")]
    [InlineData("""{"input_file_id":"file-nope","input_file_id":"FILE","endpoint":"/v1/chat/completions","completion_window":"24h"}""", "input_file_id")]
    [InlineData("""{"input_file_id":"FILE","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"note":"\ud800"}}""", "metadata")]
    public async Task A_batch_request_with_a_repeated_key_or_a_broken_string_is_refused_and_nothing_runs(string json, string named)
    {
        await using var node = await StartAsync();
        var file = await BatchCalls.UploadOkAsync(node.Http, node.Token(), BatchCalls.Lines(2));

        using var response = await BatchCalls.SendAsync(node.Http, HttpMethod.Post, "/v1/batches", node.Token(), json.Replace("\"FILE\"", $"\"{file}\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await BatchCalls.JsonAsync(response)).GetProperty("error");
        Assert.Equal("invalid_json", error.GetProperty("code").GetString());
        Assert.Contains(named, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var list = await BatchCalls.SendAsync(node.Http, HttpMethod.Get, "/v1/batches", node.Token());
        Assert.Empty((await BatchCalls.JsonAsync(list)).GetProperty("data").EnumerateArray());
    }

    [Theory]
    [InlineData("metadata", "pubic")]
    [InlineData("header", "bogus")]
    [InlineData("metadata", "")]
    public async Task A_batch_labelled_with_an_unknown_classification_is_refused_at_creation_and_charges_nothing(string where, string label)
    {
        await using var node = await StartAsync();
        var file = await BatchCalls.UploadOkAsync(node.Http, node.Token(), BatchCalls.Lines(2));
        var before = (await node.Node.Ledger.ReadAuditAsync(0, 10_000)).Count;
        var metadata = where == "metadata" ? $$""","metadata":{"data_classification":"{{label}}"}""" : "";

        using var response = await BatchCalls.SendAsync(node.Http, HttpMethod.Post, "/v1/batches", node.Token(),
            $$"""{"input_file_id":"{{file}}","endpoint":"/v1/chat/completions","completion_window":"24h"{{metadata}}}""",
            classification: where == "header" ? label : null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await BatchCalls.JsonAsync(response)).GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains($"'{label}' is not a classification", message, StringComparison.Ordinal);
        Assert.Contains(where == "metadata" ? "metadata.data_classification" : "X-Data-Classification", message, StringComparison.Ordinal);
        using var list = await BatchCalls.SendAsync(node.Http, HttpMethod.Get, "/v1/batches", node.Token());
        Assert.Empty((await BatchCalls.JsonAsync(list)).GetProperty("data").EnumerateArray());
        Assert.DoesNotContain((await node.Node.Ledger.ReadAuditAsync(0, 10_000)).Skip(before), r => r.Entry.EpsilonCharged > 0);
    }

    [Fact]
    public async Task An_input_line_with_an_unknown_classification_is_refused_at_upload_with_its_line_named()
    {
        await using var node = await StartAsync();

        using var response = await BatchCalls.UploadAsync(node.Http, node.Token(),
            BatchCalls.ChatLine("a", "one", classification: "public") + "\n" + BatchCalls.ChatLine("b", "two", classification: "confidentail") + "\n");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("line 2: data_classification 'confidentail' is not a classification",
            (await BatchCalls.JsonAsync(response)).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(node.Node.Config.Node.DataDir, "batch", "files")));
    }

    [Fact]
    public async Task Levels_and_configured_classes_are_known_labels_in_either_case()
    {
        await using var node = await StartAsync();
        var file = await BatchCalls.UploadOkAsync(node.Http, node.Token(), BatchCalls.ChatLine("a", "one", classification: "PHI") + "\n" + BatchCalls.ChatLine("b", "two", classification: "Internal") + "\n");

        var batch = await BatchCalls.CreateBatchAsync(node.Http, node.Token(), file, """{"data_classification":" public "}""");

        Assert.StartsWith("batch_", batch.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_lines_and_too_many_bytes_are_refused_with_the_limit_named()
    {
        await using var node = await StartAsync(c => c with { Batch = c.Batch with { MaxLines = 3, MaxFileBytes = 4096 } });

        using var many = await BatchCalls.UploadAsync(node.Http, node.Token(), BatchCalls.Lines(4));
        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);
        var manyMessage = (await BatchCalls.JsonAsync(many)).GetProperty("error").GetProperty("message").GetString()!;
        Assert.StartsWith("line 4: the file holds more than 3 requests", manyMessage, StringComparison.Ordinal);
        Assert.Contains("batch.max_lines", manyMessage, StringComparison.Ordinal);

        var big = BatchCalls.ChatLine("big", new string('x', 5000)) + "\n";
        using var large = await BatchCalls.UploadAsync(node.Http, node.Token(), big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        var error = (await BatchCalls.JsonAsync(large)).GetProperty("error");
        Assert.Equal("file_too_large", error.GetProperty("code").GetString());
        Assert.Contains("batch.max_file_bytes", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(node.Node.Config.Node.DataDir, "batch", "files")));
    }

    [Fact]
    public async Task Planning_submits_any_size_basic_planning_is_capped_and_others_are_refused()
    {
        await using var node = await StartAsync(c => c with { Batch = c.Batch with { BasicPlanningMaxLines = 2 } });
        var doctor = node.Token("doctor", sub: "dr.plan");
        var nurse = node.Token("nurse", sub: "nurse.plan");
        var researcher = node.Token("researcher", sub: "res.plan");

        await BatchCalls.UploadOkAsync(node.Http, doctor, BatchCalls.Lines(3));
        using (var capped = await BatchCalls.UploadAsync(node.Http, nurse, BatchCalls.Lines(3)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, capped.StatusCode);
            Assert.Contains("batch.basic_planning_max_lines", (await capped.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        var nurseFile = await BatchCalls.UploadOkAsync(node.Http, nurse, BatchCalls.Lines(2));
        var batch = await BatchCalls.CreateBatchAsync(node.Http, nurse, nurseFile, """{"data_classification":"public"}""");
        var done = await BatchCalls.WaitFinalAsync(node.Http, nurse, batch.GetProperty("id").GetString()!);
        Assert.Equal("completed", done.GetProperty("status").GetString());

        using var refused = await BatchCalls.UploadAsync(node.Http, researcher, BatchCalls.Lines(1));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var list = await BatchCalls.SendAsync(node.Http, HttpMethod.Get, "/v1/batches", researcher);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);

        // Each refusal of the known researcher is audited, naming the endpoint and what it needs.
        var audited = (await node.Node.Ledger.ReadAuditAsync(0, 100_000))
            .Where(r => r.Entry.Decision == QuantumEdge.Ledger.Audit.AuditDecisions.RefusedForbidden)
            .Select(r => (r.Entry.UserId, r.Entry.Detail)).ToList();
        Assert.Equal(
            [("res.plan", "endpoint=POST /v1/files;needs=planning or basic_planning"), ("res.plan", "endpoint=GET /v1/batches;needs=planning or basic_planning")],
            audited);
    }

    [Fact]
    public async Task Files_and_batches_belong_to_their_creator_and_admins_see_all()
    {
        await using var node = await StartAsync();
        var owner = node.Token(sub: "dr.owner");
        var other = node.Token(sub: "dr.other");
        var admin = node.Token("admin", sub: "it.admin");
        var fileId = await BatchCalls.UploadOkAsync(node.Http, owner, BatchCalls.Lines(2));
        var batchId = (await BatchCalls.CreateBatchAsync(node.Http, owner, fileId, """{"data_classification":"public"}""")).GetProperty("id").GetString()!;

        foreach (var path in new[] { $"/v1/files/{fileId}", $"/v1/files/{fileId}/content", $"/v1/batches/{batchId}" })
        {
            using var hidden = await BatchCalls.SendAsync(node.Http, HttpMethod.Get, path, other);
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
            using var seen = await BatchCalls.SendAsync(node.Http, HttpMethod.Get, path, admin);
            Assert.Equal(HttpStatusCode.OK, seen.StatusCode);
        }

        using (var cancel = await BatchCalls.SendAsync(node.Http, HttpMethod.Post, $"/v1/batches/{batchId}/cancel", other))
        {
            Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        }

        using (var delete = await BatchCalls.SendAsync(node.Http, HttpMethod.Delete, $"/v1/files/{fileId}", other))
        {
            Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        }

        using (var otherFiles = await BatchCalls.SendAsync(node.Http, HttpMethod.Get, "/v1/files", other))
        {
            Assert.Equal(0, (await BatchCalls.JsonAsync(otherFiles)).GetProperty("data").GetArrayLength());
        }

        using (var otherBatches = await BatchCalls.SendAsync(node.Http, HttpMethod.Get, "/v1/batches", other))
        {
            Assert.Equal(0, (await BatchCalls.JsonAsync(otherBatches)).GetProperty("data").GetArrayLength());
        }

        using (var adminBatches = await BatchCalls.SendAsync(node.Http, HttpMethod.Get, "/v1/batches", admin))
        {
            Assert.Equal(batchId, (await BatchCalls.JsonAsync(adminBatches)).GetProperty("data")[0].GetProperty("id").GetString());
        }

        var done = await BatchCalls.WaitFinalAsync(node.Http, owner, batchId);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        using var deleted = await BatchCalls.SendAsync(node.Http, HttpMethod.Delete, $"/v1/files/{fileId}", owner);
        Assert.True((await BatchCalls.JsonAsync(deleted)).GetProperty("deleted").GetBoolean());
        using var gone = await BatchCalls.SendAsync(node.Http, HttpMethod.Get, $"/v1/files/{fileId}", owner);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Lines_over_the_privacy_budget_fail_into_the_error_file_and_the_batch_goes_on()
    {
        await using var node = await StartAsync(c => c with { Privacy = c.Privacy with { EpsilonPerQuery = 0.1, CompositionMethod = "basic", MaxBudgetPerUser = 0.2 } });
        var token = node.Token(sub: "dr.budget", department: "general");
        var fileId = await BatchCalls.UploadOkAsync(node.Http, token, BatchCalls.Lines(5));
        var batchId = (await BatchCalls.CreateBatchAsync(node.Http, token, fileId, """{"data_classification":"phi"}""")).GetProperty("id").GetString()!;

        var done = await BatchCalls.WaitFinalAsync(node.Http, token, batchId);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        var counts = done.GetProperty("request_counts");
        Assert.Equal(5, counts.GetProperty("total").GetInt32());
        Assert.Equal(2, counts.GetProperty("completed").GetInt32());
        Assert.Equal(3, counts.GetProperty("failed").GetInt32());
        var output = await BatchCalls.ContentAsync(node.Http, token, done.GetProperty("output_file_id").GetString()!);
        Assert.Equal(2, output.Count);
        Assert.All(output, l => Assert.Equal(200, l.GetProperty("response").GetProperty("status_code").GetInt32()));
        var errors = await BatchCalls.ContentAsync(node.Http, token, done.GetProperty("error_file_id").GetString()!);
        Assert.Equal(3, errors.Count);
        Assert.All(errors, l =>
        {
            Assert.Equal(429, l.GetProperty("response").GetProperty("status_code").GetInt32());
            Assert.Equal("insufficient_privacy_budget", l.GetProperty("response").GetProperty("body").GetProperty("error").GetProperty("code").GetString());
        });
        Assert.Equal(5, output.Concat(errors).Select(l => l.GetProperty("custom_id").GetString()).Distinct().Count());

        // Every line is audited under its own request id: two charges admitted, three refused.
        var audit = await node.Node.Ledger.ReadAuditAsync(0, 10_000);
        var lines = audit.Where(r => r.Entry.RequestId.StartsWith(batchId + "-line-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count(r => r.Entry.Decision == "admitted"));
        Assert.Equal(3, lines.Count(r => r.Entry.Decision == "refused:insufficient_privacy_budget"));
        Assert.Equal(2, lines.Count(r => r.Entry.Decision == "completed"));
        Assert.Equal(2, (await node.Node.Ledger.GetBudgetAsync("dr.budget", "general")).State.Queries);
    }

    [Fact]
    public async Task Each_line_is_classified_failing_closed_and_enforced_like_an_interactive_request()
    {
        await using var node = await StartAsync(sim: new TestNode.Sim("open", TestNode.OpenLevels));
        var token = node.Token(sub: "dr.class");
        var jsonl = BatchCalls.ChatLine("unlabelled", "one") + "\n" + BatchCalls.ChatLine("public", "two", classification: "public") + "\n"
            + BatchCalls.ChatLine("phi", "three", classification: "phi") + "\n";
        var fileId = await BatchCalls.UploadOkAsync(node.Http, token, jsonl);
        var batchId = (await BatchCalls.CreateBatchAsync(node.Http, token, fileId)).GetProperty("id").GetString()!;

        var done = await BatchCalls.WaitFinalAsync(node.Http, token, batchId);

        var output = await BatchCalls.ContentAsync(node.Http, token, done.GetProperty("output_file_id").GetString()!);
        Assert.Equal(["public"], output.Select(l => l.GetProperty("custom_id").GetString()!).ToArray());
        var errors = await BatchCalls.ContentAsync(node.Http, token, done.GetProperty("error_file_id").GetString()!);
        Assert.Equal(["phi", "unlabelled"], errors.Select(l => l.GetProperty("custom_id").GetString()!).Order().ToArray());
        Assert.All(errors, l => Assert.Equal("no_permitted_backend",
            l.GetProperty("response").GetProperty("body").GetProperty("error").GetProperty("code").GetString()));
        Assert.Equal(1, node.Sims[0].Received);
    }

    [Fact]
    public async Task Batch_lines_show_in_the_metrics()
    {
        await using var node = await StartAsync();
        var token = node.Token(sub: "dr.metrics");
        var fileId = await BatchCalls.UploadOkAsync(node.Http, token, BatchCalls.Lines(3));
        var batchId = (await BatchCalls.CreateBatchAsync(node.Http, token, fileId, """{"data_classification":"public"}""")).GetProperty("id").GetString()!;
        await BatchCalls.WaitFinalAsync(node.Http, token, batchId);

        using var metrics = new HttpClient();
        var text = await metrics.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.Contains("quantumedge_batch_lines{state=\"done\"} 3", text, StringComparison.Ordinal);
        Assert.Contains("quantumedge_batch_lines{state=\"queued\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("quantumedge_batches{status=\"completed\"} 1", text, StringComparison.Ordinal);
    }
}
