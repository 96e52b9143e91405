using System.Collections.Concurrent;
using System.Globalization;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Http;
using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Tests.Gossip;

/// <summary>
/// Nodes wired together in memory through their endpoint handlers and the same wire readers
/// the HTTP transport uses. Links can be cut, nodes stopped or made to hang.
/// </summary>
internal sealed class InMemoryNetwork
{
    public delegate FederationResponse Handler(string method, string path, IReadOnlyDictionary<string, string> query, byte[] body);

    private readonly ConcurrentDictionary<string, Handler> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), bool> _cut = new();
    private long _bytes;
    private long _requests;

    public ConcurrentDictionary<string, bool> Stopped { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, bool> Hanging { get; } = new(StringComparer.Ordinal);

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Requests => Interlocked.Read(ref _requests);

    public void Attach(string id, Handler handler) => _handlers[id] = handler;

    public void Cut(string a, string b)
    {
        _cut[(a, b)] = true;
        _cut[(b, a)] = true;
    }

    public void Heal() => _cut.Clear();

    public IFederationTransport TransportFor(string caller) => new Transport(this, caller);

    private async Task<FederationResponse> SendAsync(string caller, string target, string method, string path, Dictionary<string, string> query, byte[] body,
        CancellationToken token)
    {
        if (Hanging.ContainsKey(target))
        {
            await Task.Delay(Timeout.Infinite, token);
        }

        if (Stopped.ContainsKey(target) || Stopped.ContainsKey(caller) || _cut.ContainsKey((caller, target)) || !_handlers.TryGetValue(target, out var handler))
        {
            throw new FederationTransportException($"connection to '{target}' refused");
        }

        var response = handler(method, path, query, body);
        Interlocked.Add(ref _bytes, body.Length + response.Body.Length);
        Interlocked.Increment(ref _requests);
        return response;
    }

    private sealed class Transport(InMemoryNetwork network, string caller) : IFederationTransport
    {
        public async Task<PushResponse> PushAsync(TrustedPeer peer, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken)
        {
            var r = await network.SendAsync(caller, peer.Id, "POST", "/federation/v1/envelopes", [], envelope.ToArray(), cancellationToken);
            return FederationWire.ReadPushResponse(r.Status, r.Body);
        }

        public async Task<PeerDigest> GetDigestAsync(TrustedPeer peer, string self, CancellationToken cancellationToken)
        {
            var r = await network.SendAsync(caller, peer.Id, "GET", "/federation/v1/digest", new() { ["for"] = self }, [], cancellationToken);
            return r.Status == 200 ? FederationWire.ReadDigest(r.Body) : throw new FederationTransportException($"digest answered {r.Status}");
        }

        public async Task<IReadOnlyList<byte[]>> PullAsync(TrustedPeer peer, string origin, long epoch, long afterSeq, CancellationToken cancellationToken)
        {
            var query = new Dictionary<string, string>
            {
                ["origin"] = origin,
                ["after_seq"] = afterSeq.ToString(CultureInfo.InvariantCulture),
                ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            };
            var r = await network.SendAsync(caller, peer.Id, "GET", "/federation/v1/envelopes", query, [], cancellationToken);
            return r.Status == 200 ? FederationWire.ReadPullPage(r.Body) : throw new FederationTransportException($"pull answered {r.Status}");
        }
    }
}
