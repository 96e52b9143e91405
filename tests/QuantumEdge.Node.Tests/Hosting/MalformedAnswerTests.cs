using System.Net;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>Backend answers the gateway cannot relay as what they claim to be: refused as the backend's failure, never a server error, never charged.</summary>
public sealed class MalformedAnswerTests
{
    private const string Completion = """{"id":"c1","object":"chat.completion","model":"clinical-7b","choices":[{"index":0,"message":{"role":"assistant","content":"Patient stable"},"finish_reason":"stop"}]}""";

    private static readonly (string Kind, string Named, string Answer)[] Cases =
    [
        // The chunked body is longer than the declared length: relayed with that length, Kestrel threw mid-answer (500).
        ("bad_framing", "Content-Length", $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{Chunked(Completion)}"),
        ("bad_framing", "Content-Length", $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: {Completion.Length}\r\nConnection: close\r\n\r\n{Chunked(Completion)}"),
        // Not asked for and not decoded: the client would get compressed bytes labelled as JSON.
        ("bad_encoding", "'gzip'", $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {Completion.Length}\r\nConnection: close\r\n\r\n{Completion}"),
        ("bad_encoding", "'br'", $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: identity, br\r\nContent-Length: {Completion.Length}\r\nConnection: close\r\n\r\n{Completion}"),
        // Answers that are not a usable HTTP head: named as what they are, not as an unreachable backend.
        ("headers_too_large", "64 KiB", $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{ManyHeaders(20_000)}Content-Length: {Completion.Length}\r\nConnection: close\r\n\r\n{Completion}"),
        ("bad_response", "not a valid HTTP response", "SSH-2.0-OpenSSH_9.6\r\n"),
        ("upstream_aborted", "closed the connection", ""),
    ];

    private static string ManyHeaders(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"X-Filler-{i:D5}: {new string('a', 100)}\r\n"));

    private static string Chunked(string body) => $"{body.Length:x}\r\n{body}\r\n0\r\n\r\n";

    public static TheoryData<string, string> KindsAndAnswers()
    {
        var data = new TheoryData<string, string>();
        foreach (var (kind, _, answer) in Cases)
        {
            data.Add(kind, answer);
        }

        return data;
    }

    public static TheoryData<string, string, string> Answers()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (kind, named, answer) in Cases)
        {
            data.Add(kind, named, answer);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndAnswers))]
    public async Task An_answer_framed_so_it_cannot_be_relayed_fails_over_to_a_good_backend_and_counts_against_the_bad_one(string kind, string answer)
    {
        await using var bad = new CannedAnswerServer(answer);
        // Listed first and tied on load: the least-loaded planner tries it first.
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("bad", TestNode.AllLevels, Url: bad.BaseUrl), new TestNode.Sim("good", TestNode.AllLevels)],
            configure: c => c with { QuantumPlanning = c.QuantumPlanning with { Router = "least_loaded" } });

        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "public"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("good", response.Headers.GetValues("X-QuantumEdge-Backend").Single());
        Assert.Contains("choices", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, bad.Completions);
        Assert.Equal(1, node.Node.Metrics.BackendErrors.WithLabels("bad", kind).Value);
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task An_answer_framed_so_it_cannot_be_relayed_from_the_only_backend_is_refused_naming_the_problem_and_not_charged(string kind, string named, string answer)
    {
        await using var bad = new CannedAnswerServer(answer);
        await using var node = await TestNode.StartAsync([new TestNode.Sim("bad", TestNode.AllLevels, Url: bad.BaseUrl)]);
        var token = node.Token(sub: "dr.framing", department: "icu");

        using var response = await node.Http.SendAsync(node.Chat(token, "phi"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var (message, _, _) = await ErrorShape.ReadAsync(response);
        Assert.Contains("backend 'bad'", message, StringComparison.Ordinal);
        Assert.Contains(named, message, StringComparison.Ordinal);
        Assert.Equal(1, node.Node.Metrics.BackendErrors.WithLabels("bad", kind).Value);
        // Nothing reached the caller: the charge is released.
        await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == "refunded");
        Assert.Equal(0, (await node.Node.Ledger.GetBudgetAsync("dr.framing", "icu")).Spent);
    }
}
