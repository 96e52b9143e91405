using System.Net;
using System.Text;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Lending;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Lending;

namespace QuantumEdge.Gateway.Tests.Lending;

/// <summary>The borrower's hard rule (only public and internal data is ever lent) and what its signing transport sends.</summary>
public sealed class BorrowedBackendRuleTests
{
    private static readonly DataClassification[] Every =
        [DataClassification.Restricted, DataClassification.Confidential, DataClassification.Internal, DataClassification.Public];

    [Fact]
    public void A_borrowed_backend_never_permits_restricted_or_confidential_data_whatever_its_settings_say()
    {
        using var borrowed = new Backend(Settings(lendingPeer: "hospital-b"), TimeSpan.FromSeconds(30));
        using var local = new Backend(Settings(lendingPeer: null), TimeSpan.FromSeconds(30));

        Assert.False(borrowed.Permits(DataClassification.Restricted));
        Assert.False(borrowed.Permits(DataClassification.Confidential));
        Assert.True(borrowed.Permits(DataClassification.Internal));
        Assert.True(borrowed.Permits(DataClassification.Public));
        Assert.All(Every, c => Assert.True(local.Permits(c)));
    }

    [Theory]
    [InlineData(DataClassification.Restricted)]
    [InlineData(DataClassification.Confidential)]
    public async Task The_signing_transport_refuses_to_send_patient_data_to_a_peer(DataClassification classification)
    {
        var inner = new RecordingHandler();
        var counters = new LendingCounters();
        using var invoker = Invoker(inner, counters);
        using var message = Message("""{"model":"clinical-7b","messages":[]}""");
        LendingTicket.Attach(message, new RequestRecord { RequestId = "r1", Route = InferenceRoute.ChatCompletions, Classification = classification }, "hospital-b");

        await Assert.ThrowsAsync<HttpRequestException>(() => invoker.SendAsync(message, CancellationToken.None));

        Assert.Equal(0, inner.Calls);
        Assert.Equal(1, counters.BorrowRefusedByReason[LendingRefusalReason.NotLendableLocally]);
    }

    [Fact]
    public async Task A_request_without_a_ticket_is_not_sent_either()
    {
        var inner = new RecordingHandler();
        using var invoker = Invoker(inner, new LendingCounters());
        using var message = Message("""{"model":"clinical-7b","messages":[]}""");

        await Assert.ThrowsAsync<HttpRequestException>(() => invoker.SendAsync(message, CancellationToken.None));
        Assert.Equal(0, inner.Calls);
    }

    [Fact]
    public async Task A_public_request_is_signed_for_the_lender_without_the_callers_token_or_user_field_and_verifies_there()
    {
        var inner = new RecordingHandler();
        using var invoker = Invoker(inner, new LendingCounters());
        using var message = Message("""{"model":"clinical-7b","user":"dr.alice","metadata":{"ward":"4b"},"messages":[{"role":"user","content":"hi"}]}""");
        message.Headers.Authorization = new("Bearer", "the-callers-token");
        var record = new RequestRecord { RequestId = "r1", Route = InferenceRoute.ChatCompletions, Classification = DataClassification.Public };
        LendingTicket.Attach(message, record, "hospital-b");

        using var response = await invoker.SendAsync(message, CancellationToken.None);

        Assert.Equal(1, inner.Calls);
        Assert.DoesNotContain("dr.alice", inner.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("ward", inner.Body, StringComparison.Ordinal);
        Assert.Contains("\"hi\"", inner.Body, StringComparison.Ordinal);
        Assert.Null(inner.Authorization);
        Assert.Equal("public", inner.Headers[LendingHeaders.Classification]);
        Assert.Contains("lend_request=" + inner.Headers[LendingHeaders.RequestId], record.Detail, StringComparison.Ordinal);

        // The lender's verifier accepts exactly what was sent, and only once.
        var trust = new TrustList("hospital-b", Lender.PublicKey, [new TrustedPeer("hospital-a", Borrower.PublicKey.ToArray(), null)]);
        var verifier = new LendingRequestVerifier(trust, "net", TimeProvider.System, _ => false, new LendingReplayWindow(TimeSpan.FromMinutes(2)), TimeSpan.FromMinutes(2));
        var body = Encoding.UTF8.GetBytes(inner.Body);
        var first = verifier.Verify("POST", "/federation/v1/lend/chat/completions", n => inner.Headers.GetValueOrDefault(n), body);
        var again = verifier.Verify("POST", "/federation/v1/lend/chat/completions", n => inner.Headers.GetValueOrDefault(n), body);
        var elsewhere = verifier.Verify("POST", "/federation/v1/lend/embeddings", n => inner.Headers.GetValueOrDefault(n), body);

        Assert.True(first.Accepted, first.Message);
        Assert.Equal("hospital-a", first.Peer);
        Assert.Equal(LendingRefusalReason.Replay, again.Reason);
        Assert.Equal(LendingRefusalReason.BadSignature, elsewhere.Reason);
    }

    [Theory]
    [InlineData(LendingRefusalReason.ModelNotLent, LendingRefusalReason.ModelNotLent)]
    [InlineData(LendingRefusalReason.LenderHalted, LendingRefusalReason.LenderHalted)]
    [InlineData("Jane Doe 219-09-9999", LendingRefusalReason.Unrecognised)]
    [InlineData("MODEL_NOT_LENT", LendingRefusalReason.Unrecognised)]
    public async Task A_lenders_refusal_is_counted_under_a_known_reason_only(string header, string counted)
    {
        var inner = new RecordingHandler { Refusal = header };
        var counters = new LendingCounters();
        using var invoker = Invoker(inner, counters);
        using var message = Message("""{"model":"clinical-7b","messages":[{"role":"user","content":"hi"}]}""");
        LendingTicket.Attach(message, new RequestRecord { RequestId = "r1", Route = InferenceRoute.ChatCompletions, Classification = DataClassification.Public }, "hospital-b");

        using var response = await invoker.SendAsync(message, CancellationToken.None);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var (reason, count) = Assert.Single(counters.BorrowRefusedByReason);
        Assert.Equal(counted, reason);
        Assert.Equal(1, count);
    }

    [Fact]
    public void A_halted_or_locked_down_lenders_refusal_is_a_known_reason()
    {
        var lockedDown = new QuantumEdge.Gateway.Emergency.EmergencyControls(configLockdown: true).Refusal(callerIsAdmin: false, inference: true);
        Assert.NotNull(lockedDown);
        Assert.Equal(LendingRefusalReason.LenderLockedDown, LendingRefusalReason.FromPeer(lockedDown.Code));
        var halting = new QuantumEdge.Gateway.Emergency.EmergencyControls(configLockdown: false);
        halting.Replace(new QuantumEdge.Gateway.Emergency.EmergencyState { Halted = true, HaltedSince = DateTimeOffset.UnixEpoch });
        var halted = halting.Refusal(callerIsAdmin: false, inference: true);
        Assert.NotNull(halted);
        Assert.Equal(LendingRefusalReason.LenderHalted, LendingRefusalReason.FromPeer(halted.Code));
    }

    private static readonly Ed25519Signer Borrower = Ed25519Signer.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly Ed25519Signer Lender = Ed25519Signer.FromSeed(Enumerable.Repeat((byte)2, 32).ToArray());

    private static HttpMessageInvoker Invoker(HttpMessageHandler inner, LendingCounters counters) =>
        new(new BorrowingHandler("hospital-b", new LendingRequestSigner(Borrower, "hospital-a", "net", TimeProvider.System), counters) { InnerHandler = inner });

    private static HttpRequestMessage Message(string body) =>
        new(HttpMethod.Post, "http://hospital-b.invalid:7443/federation/v1/lend/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static BackendSettings Settings(string? lendingPeer) => new()
    {
        Id = lendingPeer is null ? "gpu" : "peer:" + lendingPeer,
        Url = new Uri("http://peer.invalid/v1/"),
        Models = ["clinical-7b"],
        AllowedClassifications = Every,
        LendingPeer = lendingPeer,
    };

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public int Calls { get; private set; }
        public string Body { get; private set; } = "";
        public string? Authorization { get; private set; }
        public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
        public string? Refusal { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            Body = await request.Content!.ReadAsStringAsync(cancellationToken);
            Authorization = request.Headers.Authorization?.ToString();
            foreach (var header in request.Headers.Concat(request.Content.Headers))
            {
                Headers[header.Key] = string.Join(",", header.Value);
            }

            var response = new HttpResponseMessage(Refusal is null ? HttpStatusCode.OK : HttpStatusCode.NotFound) { Content = new StringContent("{}") };
            if (Refusal is not null)
            {
                response.Headers.TryAddWithoutValidation(LendingHeaders.Refusal, Refusal);
            }

            return response;
        }
    }
}
