using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Lending;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Federation.Lending;

/// <summary>Capacity lending between two nodes on loopback through their real listeners and simulated backends.</summary>
public sealed class LendingEndToEndTests
{
    [Fact]
    public async Task A_public_request_goes_to_the_peer_only_while_local_backends_are_saturated_and_both_sides_audit_it()
    {
        await using var pair = await LendingPair.StartAsync();
        var (a, b) = (pair.Borrower, pair.Lender);

        using (var local = await a.Http.SendAsync(a.Chat(a.Token(sub: "dr.alice"), "public")))
        {
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
            Assert.Equal("gpu", local.Headers.GetValues("X-QuantumEdge-Backend").Single());
        }

        await pair.SaturateBorrowerAsync();
        using (var borrowed = await a.Http.SendAsync(a.Chat(a.Token(sub: "dr.alice"), "internal")))
        {
            Assert.Equal(HttpStatusCode.OK, borrowed.StatusCode);
            Assert.Equal("peer:hospital-b", borrowed.Headers.GetValues("X-QuantumEdge-Backend").Single());
            using var answer = JsonDocument.Parse(await borrowed.Content.ReadAsStringAsync());
            Assert.False(string.IsNullOrEmpty(answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()));
        }

        Assert.Equal(1, a.Sims[0].Received);
        Assert.Equal(1, b.Sims[0].Received);

        // The borrower's audit names the peer and the pseudonymous id; the lender's names the peer, the id, the model, the outcome — no user.
        var ours = (await AuditTrail.WaitForAsync(a, r => r.Entry.Backend == "peer:hospital-b")).Single(r => r.Entry.Backend == "peer:hospital-b").Entry;
        Assert.Equal("dr.alice", ours.UserId);
        Assert.Equal(200, ours.HttpStatus);
        var lendId = ours.Detail!.Split(';').Single(p => p.StartsWith("lend_request=", StringComparison.Ordinal))["lend_request=".Length..];
        Assert.Contains("lent_to=hospital-b", ours.Detail, StringComparison.Ordinal);
        var theirs = (await AuditTrail.WaitForAsync(b, r => r.Entry.RequestId == "lend:" + lendId)).Single(r => r.Entry.RequestId == "lend:" + lendId).Entry;
        Assert.Equal("peer:hospital-a", theirs.UserId);
        Assert.Equal("federation_peer", theirs.Role);
        Assert.Equal("clinical-7b", theirs.Model);
        Assert.Equal("internal", theirs.Classification);
        Assert.Equal("gpu", theirs.Backend);
        Assert.Equal(200, theirs.HttpStatus);
        Assert.Equal("completed", theirs.Decision);
        var everything = JsonSerializer.Serialize((await AuditTrail.AllAsync(b)).Select(r => r.Entry.UserId + "|" + r.Entry.Department + "|" + r.Entry.Detail + "|" + r.Entry.RequestId));
        Assert.DoesNotContain("dr.alice", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("emergency", everything, StringComparison.Ordinal);

        Assert.Contains("quantumedge_federation_lending_borrowed_total{peer=\"hospital-b\"} 1", await pair.MetricsAsync(a), StringComparison.Ordinal);
        Assert.Contains("quantumedge_federation_lending_served_total{peer=\"hospital-a\"} 1", await pair.MetricsAsync(b), StringComparison.Ordinal);

        pair.ReleaseBorrower();
        using (var backHome = await a.Http.SendAsync(a.Chat(a.Token(), "public")))
        {
            Assert.Equal("gpu", backHome.Headers.GetValues("X-QuantumEdge-Backend").Single());
        }
    }

    [Fact]
    public async Task A_streamed_public_request_is_served_by_the_peer_when_the_local_backend_is_down()
    {
        await using var pair = await LendingPair.StartAsync(borrowerSims: [new TestNode.Sim("gpu", TestNode.OpenLevels, Dead: true)]);
        var (a, b) = (pair.Borrower, pair.Lender);

        using var response = await a.Http.SendAsync(a.Chat(a.Token(), "public", stream: true), HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("peer:hospital-b", response.Headers.GetValues("X-QuantumEdge-Backend").Single());
        Assert.Contains("\"delta\"", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        Assert.Equal(1, b.Sims[0].Received);
    }

    [Fact]
    public async Task Phi_is_never_lent_even_when_local_backends_are_saturated_it_gets_the_normal_503()
    {
        await using var pair = await LendingPair.StartAsync();
        var (a, b) = (pair.Borrower, pair.Lender);
        await pair.SaturateBorrowerAsync();

        using var phi = await a.Http.SendAsync(a.Chat(a.Token(), "phi"));
        using var confidential = await a.Http.SendAsync(a.Chat(a.Token(), "confidential"));
        using var unlabelled = await a.Http.SendAsync(a.Chat(a.Token(), classification: null));
        // Labelled public, but the borrower's PHI screen finds an MRN and upgrades it to restricted.
        using var upgraded = await a.Http.SendAsync(a.Chat(a.Token(), "public", content: "Summarise the chart for MRN 00483921 before rounds."));

        foreach (var response in new[] { phi, confidential, unlabelled, upgraded })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("no_permitted_backend", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        }

        Assert.Equal(0, b.Sims[0].Received);
        Assert.Equal(0, a.Sims[0].Received);
        Assert.DoesNotContain("quantumedge_federation_lending_borrowed_total{", await pair.MetricsAsync(a), StringComparison.Ordinal);
        Assert.DoesNotContain("quantumedge_federation_lending_served_total{", await pair.MetricsAsync(b), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_lender_refuses_restricted_data_from_a_genuine_peer_whatever_its_backends_allow()
    {
        await using var pair = await LendingPair.StartAsync();

        foreach (var level in new[] { "restricted", "confidential", "phi" })
        {
            using var response = await pair.SendAsync(pair.Sign(classification: level));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal(LendingRefusalReason.ClassificationNotLendable, response.Headers.GetValues(LendingHeaders.Refusal).Single());
        }

        Assert.Equal(0, pair.Lender.Sims[0].Received);
        var refusals = await AuditTrail.WaitForAsync(pair.Lender, r => r.Entry.Decision == "refused:classification_not_lendable");
        Assert.All(refusals.Where(r => r.Entry.RequestId.StartsWith("lend:", StringComparison.Ordinal)), r => Assert.Equal("peer:hospital-a", r.Entry.UserId));
    }

    [Fact]
    public async Task The_lenders_own_phi_screen_refuses_a_public_labelled_prompt_holding_an_mrn_although_its_backend_could_take_restricted_data()
    {
        await using var pair = await LendingPair.StartAsync();
        var body = LendingPair.Body.Replace("Explain the visiting hours policy.", "Summarise the chart for MRN 00483921 before rounds.", StringComparison.Ordinal);

        using var response = await pair.SendAsync(pair.Sign(body: body));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(LendingRefusalReason.ClassificationNotLendable, response.Headers.GetValues(LendingHeaders.Refusal).Single());
        Assert.Equal(0, pair.Lender.Sims[0].Received);
        var records = await AuditTrail.WaitForAsync(pair.Lender, r => r.Entry.Decision == "refused:classification_not_lendable");
        var record = records.Single(r => r.Entry.Decision == "refused:classification_not_lendable").Entry;
        Assert.Equal("peer:hospital-a", record.UserId);
        Assert.Contains("phi_detected=mrn", record.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("00483921", record.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_name_the_lender_does_not_offer_is_echoed_to_the_peer_only_never_into_its_audit()
    {
        await using var pair = await LendingPair.StartAsync();
        const string Smuggled = "Jane Doe 219-09-9999";
        var body = LendingPair.Body.Replace("clinical-7b", Smuggled, StringComparison.Ordinal);

        var notLent = pair.Sign(body: body);
        using var unknown = await pair.SendAsync(notLent);
        var notLendable = pair.Sign(body: body, classification: "restricted");
        using var restricted = await pair.SendAsync(notLendable);

        await AssertRefusedAsync(unknown, HttpStatusCode.NotFound, LendingRefusalReason.ModelNotLent);
        await AssertRefusedAsync(restricted, HttpStatusCode.Forbidden, LendingRefusalReason.ClassificationNotLendable);
        await AuditTrail.WaitForAsync(pair.Lender, r => r.Entry.RequestId == "lend:" + notLendable.RequestId);
        var records = await AuditTrail.WaitForAsync(pair.Lender, r => r.Entry.RequestId == "lend:" + notLent.RequestId);
        foreach (var id in new[] { notLent.RequestId, notLendable.RequestId })
        {
            var record = records.Single(r => r.Entry.RequestId == "lend:" + id).Entry;
            Assert.Null(record.Model);
            Assert.DoesNotContain("219-09", record.Detail ?? "", StringComparison.Ordinal);
        }

        Assert.Equal(0, pair.Lender.Sims[0].Received);
    }

    [Fact]
    public async Task A_forged_a_replayed_a_stale_and_an_unknown_peers_request_are_refused_without_any_state_change()
    {
        await using var pair = await LendingPair.StartAsync();
        var b = pair.Lender;
        var genuine = pair.Sign();
        using (var first = await pair.SendAsync(genuine))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await AuditTrail.WaitForAsync(b, r => r.Entry.RequestId == "lend:" + genuine.RequestId);
        var before = await StateAsync(pair);

        using var replayed = await pair.SendAsync(genuine);
        var next = pair.Sign();
        using var tampered = await pair.SendAsync(next, Encoding.UTF8.GetBytes(LendingPair.Body.Replace("visiting hours", "fire drill", StringComparison.Ordinal)));
        using var impostor = Ed25519Signer.Generate();
        using var wrongKey = await pair.SendAsync(pair.Sign(key: impostor));
        using var unknown = await pair.SendAsync(pair.Sign(key: impostor, from: "hospital-z"));
        using var stale = await pair.SendAsync(pair.Sign(clockOffset: TimeSpan.FromMinutes(-10)));

        await AssertRefusedAsync(replayed, HttpStatusCode.Conflict, LendingRefusalReason.Replay);
        await AssertRefusedAsync(tampered, HttpStatusCode.Unauthorized, LendingRefusalReason.BadSignature);
        await AssertRefusedAsync(wrongKey, HttpStatusCode.Unauthorized, LendingRefusalReason.BadSignature);
        await AssertRefusedAsync(unknown, HttpStatusCode.Unauthorized, LendingRefusalReason.UnknownPeer);
        await AssertRefusedAsync(stale, HttpStatusCode.Unauthorized, LendingRefusalReason.ClockSkew);
        Assert.Equal(before, await StateAsync(pair));

        // The tampered copy did not use up the genuine request's id: it still goes through once.
        using (var late = await pair.SendAsync(next))
        {
            Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        }

        var metrics = await pair.MetricsAsync(b);
        Assert.Contains("quantumedge_federation_lending_refused_total{reason=\"replay\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("quantumedge_federation_lending_refused_total{reason=\"bad_signature\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("quantumedge_federation_lending_refused_total{reason=\"unknown_peer\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("quantumedge_federation_lending_refused_total{reason=\"clock_skew\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timestamp_spelled_with_an_offset_is_refused_as_malformed_naming_the_one_accepted_form()
    {
        await using var pair = await LendingPair.StartAsync();
        var genuine = pair.Sign();
        var headers = genuine.Headers.Select(h => h.Key == LendingHeaders.Timestamp
            ? new KeyValuePair<string, string>(h.Key, h.Value.Replace("Z", "+00:00", StringComparison.Ordinal))
            : h).ToList();
        Assert.NotEqual(genuine.Headers, headers);
        var before = await StateAsync(pair);

        using var offset = await pair.SendAsync(genuine with { Headers = headers });

        Assert.Equal(HttpStatusCode.BadRequest, offset.StatusCode);
        using var body = JsonDocument.Parse(await offset.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("malformed_lending_request", error.GetProperty("reason").GetString());
        Assert.Contains(LendingHeaders.Timestamp, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("milliseconds and 'Z'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync(pair));
        using var sent = await pair.SendAsync(genuine);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
    }

    [Fact]
    public async Task The_lender_marks_its_replay_window_running_and_saves_it_at_a_clean_stop_for_the_next_start()
    {
        var pair = await LendingPair.StartAsync();
        string path, dataDir;
        LendingPair.SignedLend genuine;
        try
        {
            pair.Lender.KeepDataDirectory = true;
            dataDir = pair.Lender.Node.Config.Node.DataDir;
            path = pair.LenderLending.ReplayHistory!.Path;
            Assert.StartsWith(dataDir, path, StringComparison.Ordinal);
            Assert.Equal("running", ReadState(path).GetProperty("state").GetString());
            genuine = pair.Sign();
            using var first = await pair.SendAsync(genuine);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        finally
        {
            await pair.DisposeAsync();
        }

        try
        {
            var saved = ReadState(path);
            Assert.Equal("stopped", saved.GetProperty("state").GetString());
            var id = Assert.Single(saved.GetProperty("ids").EnumerateArray());
            Assert.Equal("hospital-a", id.GetProperty("peer").GetString());
            Assert.Equal(genuine.RequestId, id.GetProperty("id").GetString());
            Assert.Equal(LendingReplayWindow.Outcome.Closed, pair.LenderLending.Replays.TryRemember("hospital-a", LendingRequest.NewRequestId(),
                DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static JsonElement ReadState(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task A_forged_request_is_refused_on_its_headers_before_the_lender_buffers_its_body()
    {
        await using var pair = await LendingPair.StartAsync();
        var before = await StateAsync(pair);
        using var impostor = Ed25519Signer.Generate();
        var forged = pair.Sign(key: impostor);
        var listener = new Uri(FederatedNodes.ListenUrl(pair.Lender));

        // Headers that promise a 3 MB body, and 1 KB of it: a lender that read the body before checking the
        // signature would wait for the rest (and buffer it) instead of answering.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(listener.Host, listener.Port);
        var stream = tcp.GetStream();
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {LendingRequest.PathPrefix}chat/completions HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {listener.Authority}\r\n")
            .Append("Content-Type: application/json\r\nContent-Length: 3000000\r\n");
        foreach (var (name, value) in forged.Headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
        await stream.WriteAsync(new byte[1024]);
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, "the lender closed the connection without an answer: " + answer);
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var text = answer.ToString();
        Assert.StartsWith("HTTP/1.1 401", text, StringComparison.Ordinal);
        Assert.Contains($"{LendingHeaders.Refusal}: {LendingRefusalReason.BadSignature}", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await StateAsync(pair));
    }

    [Fact]
    public async Task The_per_peer_concurrency_limit_holds_with_a_clear_429()
    {
        await using var pair = await LendingPair.StartAsync(lenderMaxPerPeer: 2);
        var slots = pair.LenderLending.Concurrency;
        using var one = slots.TryEnter("hospital-a");
        var two = slots.TryEnter("hospital-a");
        Assert.NotNull(two);

        using (var full = await pair.SendAsync(pair.Sign()))
        {
            await AssertRefusedAsync(full, HttpStatusCode.TooManyRequests, LendingRefusalReason.PeerConcurrencyLimit);
            Assert.Contains("max_concurrency_per_peer", await full.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, pair.Lender.Sims[0].Received);
        two!.Dispose();
        using (var room = await pair.SendAsync(pair.Sign()))
        {
            Assert.Equal(HttpStatusCode.OK, room.StatusCode);
        }

        Assert.Equal(1, pair.Lender.Sims[0].Received);
        // The handler frees its slot when it returns, which can be just after the borrower has read the answer.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (slots.Running("hospital-a") != 1 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, slots.Running("hospital-a"));
    }

    [Fact]
    public async Task The_borrower_stays_within_the_lenders_advertised_per_peer_limit()
    {
        await using var pair = await LendingPair.StartAsync(lenderMaxPerPeer: 1, borrowerQueueTimeoutMs: 100);
        var a = pair.Borrower;
        await pair.SaturateBorrowerAsync();
        var peer = a.Node.Backends.Borrowed.Single();
        Assert.Equal("peer:hospital-b", peer.Id);
        // One lent request already in flight: hospital-b offers one at a time to each peer.
        Assert.True(await peer.TryAcquireAsync(TimeSpan.Zero, CancellationToken.None));
        try
        {
            using var busy = await a.Http.SendAsync(a.Chat(a.Token(), "public"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.Equal(0, pair.Lender.Sims[0].Received);
        }
        finally
        {
            peer.Release();
        }

        using var room = await a.Http.SendAsync(a.Chat(a.Token(), "public"));
        Assert.Equal(HttpStatusCode.OK, room.StatusCode);
        Assert.Equal("peer:hospital-b", room.Headers.GetValues("X-QuantumEdge-Backend").Single());
        Assert.Equal(1, pair.Lender.Sims[0].Received);
    }

    /// <summary>What a refused request must not change on the lender: its backend's requests, its audit trail, the ids it remembers, the slots taken.</summary>
    private static async Task<string> StateAsync(LendingPair pair)
    {
        var audited = (await AuditTrail.AllAsync(pair.Lender)).Count;
        return string.Create(CultureInfo.InvariantCulture,
            $"{pair.Lender.Sims[0].Received}|{audited}|{pair.LenderLending.Replays.Count("hospital-a")}|{pair.LenderLending.Concurrency.Running("hospital-a")}");
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(reason, response.Headers.GetValues(LendingHeaders.Refusal).Single());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(reason, body.RootElement.GetProperty("error").GetProperty("reason").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("error").GetProperty("message").GetString()));
    }
}
