using System.Net;
using System.Net.Http.Headers;
using System.Text;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// PHI detection in the executable (the native-AOT binary in CI, where the source-generated
/// recognizers and an operator's runtime-compiled extra pattern must both work): a prompt labelled
/// public that carries a medical record number never reaches the public-only backend (issue 10).
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryPhiDetectionTests : IAsyncLifetime
{
    private const string Mrn = "00483921";
    private const string LocalId = "H20481977";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-pbphi-" + Guid.NewGuid().ToString("N")[..12]);
    private SimulatedBackend _public = null!;
    private SimulatedBackend _secure = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _public = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "public-pool", TimeScale = 0 });
        _secure = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "secure", TimeScale = 0 });
    }

    public async Task DisposeAsync()
    {
        await _public.DisposeAsync();
        await _secure.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(string Config, string Api)> ConfigAsync(string action)
    {
        var api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        var config = Path.Combine(_dir, action + ".yaml");
        await File.WriteAllTextAsync(config, $$"""
            node:
              id: pb-phi-{{action}}
              data_dir: {{_dir}}/{{action}}-data
            server:
              urls: {{api}}
              metrics_url: http://127.0.0.1:{{NodeProcess.FreePort()}}
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            privacy:
              composition_method: basic
            security:
              phi_detection:
                enabled: true
                action: {{action}}
                extra_patterns: [{ name: local_patient_id, regex: "\\bH\\d{8}\\b", context: [patient, id] }]
            backends:
              - id: public-pool
                url: {{_public.BaseUrl}}
                models: [clinical-7b]
                allowed_classifications: [public]
              - id: secure
                url: {{_secure.BaseUrl}}
                models: [clinical-7b]
                allowed_classifications: [restricted, confidential, internal, public]
            """);
        return (config, api);
    }

    private static Task<(HttpStatusCode Status, string Backend, string Body)> ChatAsync(HttpClient http, string api, string token, string content) =>
        MessagesAsync(http, api, token, $$"""[{"role":"user","content":"{{content}}"}]""");

    private static async Task<(HttpStatusCode Status, string Backend, string Body)> MessagesAsync(HttpClient http, string api, string token, string messages)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, api + "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"clinical-7b","messages":{{messages}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Data-Classification", "public");
        using var response = await http.SendAsync(request);
        var backend = response.Headers.TryGetValues("X-QuantumEdge-Backend", out var values) ? values.Single() : "";
        return (response.StatusCode, backend, await response.Content.ReadAsStringAsync());
    }

    private static string Token() =>
        new JwtAuthenticator(new AuthSettings { JwtSecret = NodeProcess.JwtSecret }).Issue("dr.phi", "doctor", "general", TimeSpan.FromMinutes(5));

    [Fact]
    public async Task Upgrade_sends_a_public_labelled_record_number_only_to_the_restricted_backend_and_charges_it()
    {
        var (config, api) = await ConfigAsync("upgrade");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var token = Token();
        await using (var node = await NodeProcess.StartAsync(config, api))
        {
            // A clean prompt is routed as labelled (either backend may serve public data) and is not charged.
            var clean = await ChatAsync(http, api, token, "Metoprolol 25 mg BID, ICD-10 I10, BP 142/88.");
            Assert.Equal(HttpStatusCode.OK, clean.Status);

            var before = _public.Received;
            var flagged = await ChatAsync(http, api, token, $"Summarise the chart for MRN {Mrn} before rounds.");
            Assert.Equal(HttpStatusCode.OK, flagged.Status);
            Assert.Equal("secure", flagged.Backend);
            Assert.Equal(before, _public.Received);

            using var budgets = new HttpRequestMessage(HttpMethod.Get, api + "/privacy/budgets");
            budgets.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var answer = await http.SendAsync(budgets);
            Assert.Contains("\"queries\":1", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(0, await node.StopAsync());
        }

        var needle = Encoding.UTF8.GetBytes(Mrn);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_dir, "upgrade-data"), "*", SearchOption.AllDirectories))
        {
            Assert.True((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(needle) < 0, $"{file} holds the record number");
        }
    }

    [Fact]
    public async Task Refuse_answers_400_naming_the_entity_type_including_an_operator_pattern_and_never_the_value()
    {
        var (config, api) = await ConfigAsync("refuse");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var token = Token();
        await using var node = await NodeProcess.StartAsync(config, api);
        var received = _public.Received + _secure.Received;

        var mrn = await ChatAsync(http, api, token, $"Summarise the chart for MRN {Mrn} before rounds.");
        Assert.Equal(HttpStatusCode.BadRequest, mrn.Status);
        Assert.Contains("phi_detected", mrn.Body, StringComparison.Ordinal);
        Assert.Contains("mrn", mrn.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Mrn, mrn.Body, StringComparison.Ordinal);

        var local = await ChatAsync(http, api, token, $"Discharge plan for patient id {LocalId}, please.");
        Assert.Equal(HttpStatusCode.BadRequest, local.Status);
        Assert.Contains("local_patient_id", local.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(LocalId, local.Body, StringComparison.Ordinal);

        Assert.Equal(received, _public.Received + _secure.Received);
        Assert.Equal(0, await node.StopAsync());
    }

    [Fact]
    public async Task Refuse_catches_an_identifier_split_across_parts_messages_or_lines_or_hidden_in_a_role_or_an_exponent()
    {
        (string Messages, string Entity)[] cases =
        [
            ("""[{"role":"user","content":[{"type":"text","text":"Patient SSN 219-09"},{"type":"text","text":"-9999"}]}]""", "ssn"),
            ("""[{"role":"user","content":"Patient SSN 219-09"},{"role":"user","content":"-9999"}]""", "ssn"),
            ("""[{"role":"user","content":"Patient SSN 219-09-\n9999"}]""", "ssn"),
            ("""[{"role":"user","content":[{"type":"text","text":"Patient:"},{"type":"text","text":"Jane Doe"}]}]""", "name"),
            ("""[{"role":"Patient SSN 219-09-9999","content":"hi"}]""", "ssn"),
            ("""[{"role":"user","content":"summarize"}],"metadata":{"ssn":2.19099999e8}""", "ssn"),
        ];
        var (config, api) = await ConfigAsync("refuse");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var token = Token();
        await using var node = await NodeProcess.StartAsync(config, api);
        var received = _public.Received + _secure.Received;

        foreach (var (messages, entity) in cases)
        {
            var answer = await MessagesAsync(http, api, token, messages);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{messages}: {(int)answer.Status} {answer.Body}");
            Assert.Contains("phi_detected", answer.Body, StringComparison.Ordinal);
            Assert.Contains(entity, answer.Body, StringComparison.Ordinal);
        }

        Assert.Equal(received, _public.Received + _secure.Received);
        Assert.Equal(0, await node.StopAsync());
    }
}
