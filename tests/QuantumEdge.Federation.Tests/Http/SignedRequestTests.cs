using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Net.Security;
using QuantumEdge.Federation.Http;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Tests.Gossip;

namespace QuantumEdge.Federation.Tests.Http;

public sealed class SignedRequestTests
{
    private const string Target = "/federation/v1/envelopes?origin=node-00&after_seq=0";

    [Fact]
    public async Task The_transport_signs_its_pulls_and_the_listener_accepts_a_trusted_peers_signature_once()
    {
        using var cluster = new TestCluster(2);
        var caller = cluster[0];
        var listener = cluster[1];
        var captured = new List<HttpRequestMessage>();
        using var client = new HttpClient(new CapturingHandler(captured));
        var signer = new FederationRequestSigner(caller.Id, caller.Member.Options.FederationId, caller.Key, caller.Clock);
        var transport = new HttpFederationTransport(client, requestSigner: signer);

        await Assert.ThrowsAsync<QuantumEdge.Federation.Gossip.FederationTransportException>(() =>
            transport.PullAsync(cluster.PeerOf(1) with { Url = new Uri("http://node-01.test") }, "node-00", 1, 0, CancellationToken.None));
        await Assert.ThrowsAsync<QuantumEdge.Federation.Gossip.FederationTransportException>(() =>
            transport.GetDigestAsync(cluster.PeerOf(1) with { Url = new Uri("http://node-01.test") }, caller.Id, CancellationToken.None));

        Assert.Equal(2, captured.Count);
        foreach (var request in captured)
        {
            Assert.Null(listener.Endpoints.Authenticate("GET", request.RequestUri!.PathAndQuery, Header(request)));
        }

        // The same signed request again is a replay.
        var replay = listener.Endpoints.Authenticate("GET", captured[0].RequestUri!.PathAndQuery, Header(captured[0]));
        Assert.Equal(401, replay!.Status);
        Assert.Contains("replayed_request", Text(replay), StringComparison.Ordinal);
    }

    [Fact]
    public void Unsigned_unknown_tampered_and_skewed_requests_get_401_naming_the_reason()
    {
        using var cluster = new TestCluster(2);
        var listener = cluster[1].Endpoints;
        var federationId = cluster[0].Member.Options.FederationId;

        Assert.Contains("unsigned_request", Text(listener.Authenticate("GET", Target, _ => null)!), StringComparison.Ordinal);

        using var stranger = Ed25519Signer.Generate();
        Assert.Contains("unknown_node", Refusal(listener, new FederationRequestSigner("node-99", federationId, stranger, cluster[0].Clock), Target), StringComparison.Ordinal);

        // A trusted id with someone else's key.
        Assert.Contains("bad_request_signature", Refusal(listener, new FederationRequestSigner("node-00", federationId, stranger, cluster[0].Clock), Target),
            StringComparison.Ordinal);

        // Signed for one target, sent to another.
        var request = Signed(new FederationRequestSigner("node-00", federationId, cluster[0].Key, cluster[0].Clock), Target);
        var other = listener.Authenticate("GET", "/federation/v1/status", Header(request));
        Assert.Contains("bad_request_signature", Text(other!), StringComparison.Ordinal);

        // Signed for another federation.
        Assert.Contains("bad_request_signature", Refusal(listener, new FederationRequestSigner("node-00", "other-net", cluster[0].Key, cluster[0].Clock), Target),
            StringComparison.Ordinal);

        var late = new ManualClock(cluster[1].Clock.GetUtcNow() - TimeSpan.FromMinutes(6));
        Assert.Contains("request_clock_skew", Refusal(listener, new FederationRequestSigner("node-00", federationId, cluster[0].Key, late), Target),
            StringComparison.Ordinal);

        var fine = Signed(new FederationRequestSigner("node-00", federationId, cluster[0].Key, cluster[0].Clock), Target);
        Assert.Null(listener.Authenticate("GET", Target, Header(fine)));
    }

    [Fact]
    public void A_peer_that_signs_too_many_requests_is_told_to_slow_down_without_taking_the_other_peers_room()
    {
        using var cluster = new TestCluster(3);
        var listener = cluster[2].Endpoints;
        var federationId = cluster[0].Member.Options.FederationId;
        var flooder = new FederationRequestSigner("node-00", federationId, cluster[0].Key, cluster[0].Clock);
        for (var i = 0; i < FederationRequestVerifier.MaxNoncesPerPeer; i++)
        {
            using var request = Signed(flooder, Target);
            Assert.Null(listener.Authenticate("GET", Target, Header(request)));
        }

        using (var one = Signed(flooder, Target))
        {
            var refused = listener.Authenticate("GET", Target, Header(one));
            Assert.Equal(429, refused!.Status);
            Assert.Contains("too_many_requests", Text(refused), StringComparison.Ordinal);
            Assert.Contains("node-00", Text(refused), StringComparison.Ordinal);
        }

        // Another peer is not affected.
        using (var other = Signed(new FederationRequestSigner("node-01", federationId, cluster[1].Key, cluster[1].Clock), Target))
        {
            Assert.Null(listener.Authenticate("GET", Target, Header(other)));
        }

        // Once its nonces are older than any timestamp that could still pass, the flooder is heard again.
        foreach (var m in cluster.Members)
        {
            m.Clock.Advance(TimeSpan.FromMinutes(11));
        }

        using var later = Signed(flooder, Target);
        Assert.Null(listener.Authenticate("GET", Target, Header(later)));
    }

    [Fact]
    public void A_peer_certificate_is_accepted_when_it_chains_to_the_bundle_and_refused_otherwise()
    {
        using var ca = CreateCa("QuantumEdge test peer CA");
        using var otherCa = CreateCa("Someone else's CA");
        using var leaf = CreateLeaf(ca, "hospital-b.example");
        using var foreign = CreateLeaf(otherCa, "hospital-b.example");
        var trust = new PeerCertificateTrust([X509CertificateLoader.LoadCertificate(ca.RawData)]);

        Assert.True(trust.Validate(leaf, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(trust.Validate(foreign, null, SslPolicyErrors.RemoteCertificateChainErrors));
        // A name mismatch is never excused by the bundle.
        Assert.False(trust.Validate(leaf, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(trust.Validate(null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
        // What the system store accepts stays accepted.
        Assert.True(trust.Validate(foreign, null, SslPolicyErrors.None));
    }

    private static string Refusal(FederationEndpoints listener, FederationRequestSigner signer, string target)
    {
        using var request = Signed(signer, target);
        var response = listener.Authenticate("GET", target, Header(request));
        Assert.NotNull(response);
        Assert.Equal(401, response.Status);
        return Text(response);
    }

    private static HttpRequestMessage Signed(FederationRequestSigner signer, string target)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "http://node-01.test" + target);
        signer.Sign(request);
        return request;
    }

    private static Func<string, string?> Header(HttpRequestMessage request) =>
        name => request.Headers.TryGetValues(name, out var values) && values.Count() == 1 ? values.Single() : null;

    private static string Text(FederationResponse response) => System.Text.Encoding.UTF8.GetString(response.Body);

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 CreateLeaf(X509Certificate2 ca, string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(8);
        return request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
    }

    private sealed class CapturingHandler(List<HttpRequestMessage> captured) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var copy = new HttpRequestMessage(request.Method, request.RequestUri);
            foreach (var header in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            captured.Add(copy);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        }
    }
}
