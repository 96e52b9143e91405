using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Demo;

/// <summary>
/// A ward's workload submitted through the Batch API at one hospital while the interactive workload
/// runs there: coding suggestions for a few patients' notes, several questions per note, so lines
/// share a long prefix. The report shows the batch's outcome beside the interactive figures, and
/// the planner's last batch placement, so an operator sees batch lines fill spare capacity.
/// </summary>
internal sealed class BatchScenario : IDisposable
{
    private const int Patients = 6;
    private const int QuestionsPerPatient = 4;
    private static readonly TimeSpan FinishDeadline = TimeSpan.FromSeconds(120);

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly GatewayNode _node;
    private readonly string _token;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string? _batchId;

    private BatchScenario(GatewayNode node, string token)
    {
        _node = node;
        _token = token;
    }

    public static int Lines => Patients * QuestionsPerPatient;

    /// <summary>Uploads the input file and creates the batch as a doctor (the <c>planning</c> permission).</summary>
    public static async Task<BatchScenario> SubmitAsync(GatewayNode node, JwtAuthenticator auth, TextWriter output, CancellationToken ct)
    {
        var scenario = new BatchScenario(node, auth.Issue("demo-ward-coder", "doctor", "general", TimeSpan.FromHours(1)));
        try
        {
            var fileId = await scenario.UploadAsync(ct).ConfigureAwait(false);
            scenario._batchId = await scenario.CreateAsync(fileId, ct).ConfigureAwait(false);
            output.WriteLine($"Submitted batch {scenario._batchId} at {node.Config.Node.Id}: {Lines} lines ({Patients} patients' notes x {QuestionsPerPatient} questions, each note a shared prefix)");
            return scenario;
        }
        catch
        {
            scenario.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the batch to end and reports it; false when it did not complete every line.</summary>
    public async Task<bool> FinishAsync(TextWriter output, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(FinishDeadline.TotalSeconds * Stopwatch.Frequency);
        string status;
        int completed, failed, total;
        while (true)
        {
            using var doc = await GetJsonAsync($"/v1/batches/{_batchId}", ct).ConfigureAwait(false);
            var root = doc.RootElement;
            status = root.GetProperty("status").GetString() ?? "";
            var counts = root.GetProperty("request_counts");
            total = counts.GetProperty("total").GetInt32();
            completed = counts.GetProperty("completed").GetInt32();
            failed = counts.GetProperty("failed").GetInt32();
            if (status is "completed" or "failed" or "expired" or "cancelled" || Stopwatch.GetTimestamp() > deadline)
            {
                break;
            }

            await Task.Delay(250, ct).ConfigureAwait(false);
        }

        output.WriteLine($"\nBatch at {_node.Config.Node.Id} (submitted with the interactive traffic): {status}, {completed} of {total} lines completed, {failed} failed, {_clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s after submission");
        using (var quantum = await GetJsonAsync("/quantum/status", ct).ConfigureAwait(false))
        {
            if (quantum.RootElement.TryGetProperty("batch_planning", out var p) && p.ValueKind == JsonValueKind.Object)
            {
                output.WriteLine($"  batch planning: {p.GetProperty("solves").GetInt64()} placement solves, last {p.GetProperty("last_solve_lines").GetInt32()} lines x {p.GetProperty("last_solve_backends").GetInt32()} backends "
                    + $"({p.GetProperty("last_solve_couplings").GetInt32()} shared-prefix couplings) on {p.GetProperty("last_solve_device").GetString() ?? "-"}, "
                    + $"interactive reserve {p.GetProperty("interactive_reserve").GetDouble().ToString("P0", CultureInfo.InvariantCulture)}");
            }
        }

        return status == "completed" && completed == Lines && failed == 0;
    }

    public void Dispose() => _http.Dispose();

    private async Task<string> UploadAsync(CancellationToken ct)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("batch"), "purpose" },
        };
        var file = new ByteArrayContent(InputFile());
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", "ward-coding.jsonl");
        using var request = new HttpRequestMessage(HttpMethod.Post, _node.ApiAddress + "/v1/files") { Content = form };
        using var doc = await SendAsync(request, ct).ConfigureAwait(false);
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    private async Task<string> CreateAsync(string fileId, CancellationToken ct)
    {
        var body = Json(w =>
        {
            w.WriteString("input_file_id", fileId);
            w.WriteString("endpoint", "/v1/chat/completions");
            w.WriteString("completion_window", "24h");
            w.WriteStartObject("metadata");
            w.WriteString("data_classification", "internal");
            w.WriteEndObject();
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, _node.ApiAddress + "/v1/batches") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var doc = await SendAsync(request, ct).ConfigureAwait(false);
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    private Task<JsonDocument> GetJsonAsync(string path, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, _node.ApiAddress + path), ct);

    private async Task<JsonDocument> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{request.Method} {request.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
            }

            return JsonDocument.Parse(bytes);
        }
    }

    /// <summary>Synthetic notes (no real patient data): each patient's note is the shared prefix of its questions.</summary>
    private static byte[] InputFile()
    {
        string[] questions = ["Suggest ICD-10 codes.", "List the procedures performed.", "Summarise the discharge plan.", "Name any follow-up appointments."];
        using var ms = new MemoryStream();
        for (var p = 0; p < Patients; p++)
        {
            var note = $"Ward 4 note {p + 1}: admitted with community-acquired pneumonia, treated with antibiotics and oxygen, improving on day {p + 3}. "
                + string.Concat(Enumerable.Repeat("Observations stable; tolerating diet; mobilising with physiotherapy. ", 6));
            for (var q = 0; q < QuestionsPerPatient; q++)
            {
                ms.Write(Json(w =>
                {
                    w.WriteString("custom_id", $"note-{p + 1}-q{q + 1}");
                    w.WriteString("method", "POST");
                    w.WriteString("url", "/v1/chat/completions");
                    w.WriteStartObject("body");
                    w.WriteString("model", "clinical-7b");
                    w.WriteStartArray("messages");
                    w.WriteStartObject();
                    w.WriteString("role", "user");
                    w.WriteString("content", note + "\n" + questions[q]);
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteNumber("max_tokens", 32);
                    w.WriteEndObject();
                }));
                ms.WriteByte((byte)'\n');
            }
        }

        return ms.ToArray();
    }

    private static byte[] Json(Action<Utf8JsonWriter> fields)
    {
        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms))
        {
            writer.WriteStartObject();
            fields(writer);
            writer.WriteEndObject();
        }

        return ms.ToArray();
    }
}
