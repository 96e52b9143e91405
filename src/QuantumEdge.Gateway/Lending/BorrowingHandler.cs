using System.Net;
using System.Net.Http.Headers;
using QuantumEdge.Federation.Lending;
using QuantumEdge.Gateway.Classification;

namespace QuantumEdge.Gateway.Lending;

/// <summary>
/// The transport of a borrowed backend: signs every request for its lender with this node's key
/// (no caller token, session, patient context or caller field of the body goes out), refuses to
/// send anything not lendable, and turns the lender's own refusals (marked with
/// <see cref="LendingHeaders.Refusal"/>) into a 503 (a 429 stays 429), so the request path tries
/// elsewhere instead of relaying another hospital's refusal to the caller.
/// </summary>
internal sealed class BorrowingHandler(string lender, LendingRequestSigner signer, LendingCounters counters) : DelegatingHandler
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(LendingTicket.Key, out var ticket) || !LendingPolicy.IsLendable(ticket.Classification))
        {
            counters.BorrowRefused(LendingRefusalReason.NotLendableLocally);
            throw new HttpRequestException($"refused to send a request to peer '{lender}': only public and internal data may be lent");
        }

        var path = request.RequestUri!.AbsolutePath;
        var at = path.IndexOf(LendingRequest.PathPrefix, StringComparison.Ordinal);
        var protocolPath = at < 0 ? path : path[at..];
        var body = request.Content is null ? [] : LentBody.WithoutCallerFields(await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        request.Content = new ByteArrayContent(body) { Headers = { ContentType = Json } };
        request.Headers.Authorization = null;
        foreach (var (name, value) in signer.Sign(lender, request.Method.Method, protocolPath, ticket.Classification.Name(), body, ticket.RequestId))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Headers.TryGetValues(LendingHeaders.Refusal, out var reasons))
        {
            counters.BorrowRefused(LendingRefusalReason.FromPeer(reasons.FirstOrDefault()));
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                response.StatusCode = HttpStatusCode.ServiceUnavailable;
            }
        }
        else
        {
            counters.Borrowed(lender);
        }

        return response;
    }
}
