using System.Net.Http.Headers;
using System.Text;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Lending;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Federation;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Federation.Lending;

/// <summary>
/// Two federated nodes on loopback: hospital-a borrows (lending.borrow), hospital-b lends
/// (lending.offer). Helpers to wait for b's offer at a, to saturate a's local backends
/// deterministically (by holding their concurrency slots) and to send hand-signed lending requests.
/// </summary>
internal sealed class LendingPair : IAsyncDisposable
{
    public const string Body = """{"model":"clinical-7b","messages":[{"role":"user","content":"Explain the visiting hours policy."}]}""";

    private readonly List<Backend> _held = [];

    private LendingPair(FederatedNodes federation)
    {
        Federation = federation;
    }

    public FederatedNodes Federation { get; }
    public TestNode Borrower => Federation.Nodes[0];
    public TestNode Lender => Federation.Nodes[1];
    public LendingNode BorrowerLending => Borrower.Node.Federation!.LendingNode!;
    public LendingNode LenderLending => Lender.Node.Federation!.LendingNode!;

    /// <param name="borrowerSims">hospital-a's own backends.</param>
    /// <param name="lenderSims">hospital-b's backends (default: one cleared for every class, so only the lending rules keep restricted data away).</param>
    /// <param name="lenderMaxPerPeer">hospital-b's max_concurrency_per_peer.</param>
    /// <param name="borrowerQueueTimeoutMs">hospital-a's server.queue_timeout_ms (how long a request waits for a busy local slot).</param>
    public static async Task<LendingPair> StartAsync(TestNode.Sim[]? borrowerSims = null, TestNode.Sim[]? lenderSims = null, int lenderMaxPerPeer = 8,
        int borrowerQueueTimeoutMs = 5000)
    {
        var federation = await FederatedNodes.StartAsync(2,
            sims: i => i == 0 ? borrowerSims ?? [new TestNode.Sim("gpu", TestNode.OpenLevels)] : lenderSims ?? [new TestNode.Sim("gpu", TestNode.AllLevels)],
            configure: (i, c) => c with
            {
                Server = i == 0 ? c.Server with { QueueTimeoutMs = borrowerQueueTimeoutMs } : c.Server,
                Federation = c.Federation with
                {
                    Lending = i == 0 ? new LendingSettings { Borrow = true } : new LendingSettings { Offer = true, MaxConcurrencyPerPeer = lenderMaxPerPeer },
                },
            });
        var pair = new LendingPair(federation);
        await FederatedNodes.WaitUntilAsync(() => Task.FromResult(pair.BorrowerLending.Offers.Offering("hospital-b", "clinical-7b") is not null),
            "hospital-a holds hospital-b's lending offer");
        return pair;
    }

    /// <summary>Takes every concurrency slot of hospital-a's local backends, as if they were busy with other work.</summary>
    public async Task SaturateBorrowerAsync()
    {
        foreach (var backend in Borrower.Node.Backends.All)
        {
            for (var i = 0; i < backend.Settings.MaxConcurrency; i++)
            {
                Assert.True(await backend.TryAcquireAsync(TimeSpan.Zero, CancellationToken.None));
                _held.Add(backend);
            }
        }
    }

    public void ReleaseBorrower()
    {
        foreach (var backend in _held)
        {
            backend.Release();
        }

        _held.Clear();
    }

    /// <summary>A lending request signed by <paramref name="key"/> claiming to come from <paramref name="from"/> (default: hospital-a with its own key).</summary>
    public SignedLend Sign(string body = Body, string classification = "public", IFederationSigner? key = null, string from = "hospital-a", TimeSpan clockOffset = default)
    {
        var signer = new LendingRequestSigner(key ?? new NodeIdentitySigner(Borrower.Node.Ledger.NodeIdentity), from, FederatedNodes.FederationId,
            new ShiftedClock(clockOffset));
        var bytes = Encoding.UTF8.GetBytes(body);
        var id = LendingRequest.NewRequestId();
        return new SignedLend(signer.Sign("hospital-b", "POST", LendingRequest.PathPrefix + "chat/completions", classification, bytes, id), bytes, id);
    }

    /// <summary>Sends a (possibly tampered) signed request to hospital-b's lending endpoint.</summary>
    public async Task<HttpResponseMessage> SendAsync(SignedLend lend, byte[]? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, FederatedNodes.ListenUrl(Lender) + LendingRequest.PathPrefix + "chat/completions")
        {
            Content = new ByteArrayContent(body ?? lend.Body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in lend.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Federation.Listener.SendAsync(request);
    }

    public async Task<string> MetricsAsync(TestNode node)
    {
        using var client = new HttpClient();
        return await client.GetStringAsync(node.Node.MetricsAddress + "/metrics");
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseBorrower();
        await Federation.DisposeAsync();
    }

    /// <summary>The system clock moved by an offset (a borrower whose clock is wrong).</summary>
    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }

    /// <summary>The headers and body of one signed lending request, and its request id.</summary>
    public sealed record SignedLend(IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, string RequestId);
}
