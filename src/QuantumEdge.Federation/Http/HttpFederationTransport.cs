using System.Globalization;
using System.Net.Http.Headers;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Http;

/// <summary>
/// The federation protocol over HTTP(S) with a caller-owned <see cref="HttpClient"/>: every call
/// is bounded in time (<paramref name="requestTimeout"/>, default 5 s) and in the bytes read
/// (<paramref name="maxResponseBytes"/>, default 4 MiB, checked while streaming, not after).
/// Unreachable peers, timeouts, unexpected statuses and oversized or malformed bodies all
/// surface as <see cref="FederationTransportException"/>. With a <paramref name="requestSigner"/>
/// every request carries this node's signature (<see cref="RequestSignature"/>), which peers'
/// listeners require on their GET endpoints.
/// </summary>
public sealed class HttpFederationTransport(HttpClient client, TimeSpan? requestTimeout = null, int maxResponseBytes = FederationWire.MaxResponseBytes,
    FederationRequestSigner? requestSigner = null)
    : IFederationTransport
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly TimeSpan _timeout = requestTimeout ?? TimeSpan.FromSeconds(5);

    public async Task<PushResponse> PushAsync(TrustedPeer peer, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(envelope);
        content.Headers.ContentType = Json;
        var (status, body) = await SendAsync(HttpMethod.Post, peer, "/federation/v1/envelopes", content, cancellationToken).ConfigureAwait(false);
        if (status is not (202 or 400 or 401 or 409))
        {
            throw new FederationTransportException($"peer '{peer.Id}' answered {status} to a push");
        }

        return FederationWire.ReadPushResponse(status, body);
    }

    public async Task<PeerDigest> GetDigestAsync(TrustedPeer peer, string self, CancellationToken cancellationToken)
    {
        var path = "/federation/v1/digest?for=" + Uri.EscapeDataString(self);
        var (status, body) = await SendAsync(HttpMethod.Get, peer, path, null, cancellationToken).ConfigureAwait(false);
        return status == 200 ? FederationWire.ReadDigest(body) : throw new FederationTransportException($"peer '{peer.Id}' answered {status} to digest");
    }

    public async Task<IReadOnlyList<byte[]>> PullAsync(TrustedPeer peer, string origin, long epoch, long afterSeq, CancellationToken cancellationToken)
    {
        var path = "/federation/v1/envelopes?" + FederationWire.Query(origin, epoch, afterSeq);
        var (status, body) = await SendAsync(HttpMethod.Get, peer, path, null, cancellationToken).ConfigureAwait(false);
        return status == 200 ? FederationWire.ReadPullPage(body) : throw new FederationTransportException($"peer '{peer.Id}' answered {status} to a pull");
    }

    private async Task<(int Status, byte[] Body)> SendAsync(HttpMethod method, TrustedPeer peer, string pathAndQuery, HttpContent? content,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var baseUrl = peer.Url ?? throw new FederationTransportException($"peer '{peer.Id}' has no url");
        var uri = new Uri(baseUrl.ToString().TrimEnd('/') + pathAndQuery, UriKind.Absolute);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var request = new HttpRequestMessage(method, uri) { Content = content };
            requestSigner?.Sign(request);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength is { } length && length > maxResponseBytes)
            {
                throw new FederationTransportException(string.Create(CultureInfo.InvariantCulture,
                    $"peer '{peer.Id}' announced a {length}-byte response; the limit is {maxResponseBytes}"));
            }

            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await stream.ReadAsync(chunk, timeout.Token).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > maxResponseBytes)
                    {
                        throw new FederationTransportException(string.Create(CultureInfo.InvariantCulture,
                            $"peer '{peer.Id}' sent more than {maxResponseBytes} bytes"));
                    }

                    buffer.Write(chunk, 0, read);
                }

                return ((int)response.StatusCode, buffer.ToArray());
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FederationTransportException(string.Create(CultureInfo.InvariantCulture,
                $"peer '{peer.Id}' did not answer {method} {pathAndQuery.Split('?')[0]} within {_timeout.TotalSeconds:0.###} s"), ex);
        }
        catch (HttpRequestException ex)
        {
            throw new FederationTransportException($"peer '{peer.Id}' is unreachable: {ex.Message}", ex);
        }
    }
}
