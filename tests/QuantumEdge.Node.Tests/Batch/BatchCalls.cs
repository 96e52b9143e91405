using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace QuantumEdge.Node.Tests.Batch;

/// <summary>The Files and Batch API over plain HTTP, for tests that look at exact statuses and bodies.</summary>
internal static class BatchCalls
{
    public static string ChatLine(string customId, string content, string? classification = null, string model = "clinical-7b", string url = "/v1/chat/completions")
    {
        var extra = classification is null ? "" : $",\"data_classification\":\"{classification}\"";
        return $$"""{"custom_id":"{{customId}}","method":"POST","url":"{{url}}","body":{"model":"{{model}}","messages":[{"role":"user","content":"{{content}}"}]}{{extra}}}""";
    }

    public static string Lines(int count, string prefix = "req", string? classification = null) =>
        string.Join("\n", Enumerable.Range(1, count).Select(i => ChatLine($"{prefix}-{i}", $"Summarise note {i} for the ward.", classification))) + "\n";

    public static Task<HttpResponseMessage> UploadAsync(HttpClient http, string token, string jsonl, string purpose = "batch", string filename = "input.jsonl") =>
        UploadAsync(http, token, Encoding.UTF8.GetBytes(jsonl), purpose, filename);

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient http, string token, byte[] jsonl, string purpose = "batch", string filename = "input.jsonl")
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(purpose), "purpose" },
            { new ByteArrayContent(jsonl), "file", filename },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/files") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    public static async Task<string> UploadOkAsync(HttpClient http, string token, string jsonl)
    {
        using var response = await UploadAsync(http, token, jsonl);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token, string? json = null, string? classification = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (classification is not null)
        {
            request.Headers.Add("X-Data-Classification", classification);
        }

        return await http.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> CreateBatchAsync(HttpClient http, string token, string fileId, string? metadataJson = null)
    {
        var metadata = metadataJson is null ? "" : $",\"metadata\":{metadataJson}";
        using var response = await SendAsync(http, HttpMethod.Post, "/v1/batches", token,
            $$"""{"input_file_id":"{{fileId}}","endpoint":"/v1/chat/completions","completion_window":"24h"{{metadata}}}""");
        var body = await JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    /// <summary>Polls the batch until <paramref name="done"/> holds for it, or fails after the deadline.</summary>
    public static async Task<JsonElement> WaitAsync(HttpClient http, string token, string batchId, Func<JsonElement, bool> done, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement batch;
        do
        {
            using var response = await SendAsync(http, HttpMethod.Get, "/v1/batches/" + batchId, token);
            batch = await JsonAsync(response);
            if (done(batch))
            {
                return batch;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"batch {batchId} did not reach the awaited state; last: {batch}");
        return batch;
    }

    public static Task<JsonElement> WaitFinalAsync(HttpClient http, string token, string batchId, int seconds = 60) =>
        WaitAsync(http, token, batchId, b => b.GetProperty("status").GetString() is "completed" or "failed" or "expired" or "cancelled", seconds);

    /// <summary>The lines of a file's content, parsed.</summary>
    public static async Task<List<JsonElement>> ContentAsync(HttpClient http, string token, string fileId)
    {
        using var response = await SendAsync(http, HttpMethod.Get, $"/v1/files/{fileId}/content", token);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }
}
