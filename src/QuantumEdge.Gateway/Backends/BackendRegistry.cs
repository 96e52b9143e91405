using System.Collections.Concurrent;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// All configured backends (their state, and apart from it their transports) and the permission
/// filter every routing decision goes through. The configured set is one immutable snapshot behind
/// one reference, so a configuration reload (<see cref="Apply"/>) swaps it while requests read it.
/// </summary>
public sealed class BackendRegistry : IDisposable
{
    /// <summary>A backend taken out by a reload is disposed once idle and at least this long retired (a request may have picked it just before).</summary>
    private static readonly TimeSpan RetiredGrace = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<Backend, BackendTransport> _transports = new(ReferenceEqualityComparer.Instance);
    private readonly List<Backend> _borrowed = [];
    private readonly List<(Backend Backend, DateTimeOffset Since)> _retired = [];
    private readonly Lock _applying = new();
    private readonly TimeSpan _circuitBreak;
    private readonly Func<string, string?>? _environment;
    private readonly BackendHandlerFactory _handlers;
    private readonly TimeProvider _time;
    private volatile Snapshot _current;

    public BackendRegistry(NodeConfiguration config, Func<string, string?>? environment = null, BackendHandlerFactory? handlers = null, TimeProvider? time = null)
    {
        _handlers = handlers ?? SocketsBackendHandlers.Create;
        _environment = environment;
        _time = time ?? TimeProvider.System;
        _circuitBreak = TimeSpan.FromSeconds(config.Server.CircuitBreakSeconds);
        _current = new Snapshot([.. config.Backends.Select(Open)]);
    }

    public IReadOnlyList<Backend> All => _current.All;

    /// <summary>Peers' lent capacity (<c>federation.lending.borrow</c>): never in <see cref="All"/> or <see cref="Permitted"/>; offered by <see cref="Lending.BorrowedCapacity"/>.</summary>
    public IReadOnlyList<Backend> Borrowed => _borrowed;

    /// <summary>Adds a borrowed backend; only while the node is being composed, before any request.</summary>
    internal void AddBorrowed(Backend backend, BackendTransport transport)
    {
        _borrowed.Add(backend);
        _transports[backend] = transport;
    }

    /// <summary>The union of all backends' models, sorted.</summary>
    public IReadOnlyCollection<string> Models => _current.Models;

    public bool KnowsModel(string model) => _current.Models.Contains(model);

    /// <summary>How to reach <paramref name="backend"/> (also one a reload has just retired, while its requests finish).</summary>
    public BackendTransport TransportOf(Backend backend) => _transports[backend];

    /// <summary>
    /// Backends that may receive a request of this model and classification. This is the only
    /// place that decides permission; planners choose among what it returns, never beyond.
    /// </summary>
    public List<Backend> Permitted(string model, DataClassification classification)
    {
        var all = _current.All;
        var result = new List<Backend>(all.Count);
        foreach (var b in all)
        {
            if (b.Serves(model) && b.Permits(classification))
            {
                result.Add(b);
            }
        }

        return result;
    }

    /// <summary>
    /// Replaces the configured set (configuration reload). A backend whose settings are unchanged
    /// keeps its state (health, circuit, load); an added or changed one starts fresh; a removed or
    /// changed one stops receiving new requests at once, and its requests in flight finish on its
    /// old transport, which is disposed later.
    /// </summary>
    /// <returns>The ids added, changed and removed.</returns>
    public BackendChanges Apply(IReadOnlyList<BackendSettings> settings)
    {
        lock (_applying)
        {
            var old = _current.All.ToDictionary(b => b.Id, StringComparer.Ordinal);
            var next = new List<Backend>(settings.Count);
            List<string> added = [], changed = [], removed = [];
            foreach (var s in settings)
            {
                if (old.Remove(s.Id, out var existing))
                {
                    if (SameSettings(existing.Settings, s))
                    {
                        next.Add(existing);
                        continue;
                    }

                    changed.Add(s.Id);
                    Retire(existing);
                }
                else
                {
                    added.Add(s.Id);
                }

                next.Add(Open(s));
            }

            foreach (var gone in old.Values)
            {
                removed.Add(gone.Id);
                Retire(gone);
            }

            _current = new Snapshot(next);
            DisposeIdleRetired();
            return new BackendChanges(added, changed, removed);
        }
    }

    /// <summary>Whether two settings describe the same backend (lists compared by content).</summary>
    public static bool SameSettings(BackendSettings a, BackendSettings b) =>
        a.Id == b.Id && a.Url == b.Url && a.Models.SequenceEqual(b.Models, StringComparer.Ordinal) && a.MaxConcurrency == b.MaxConcurrency
        && a.AllowedClassifications.SequenceEqual(b.AllowedClassifications) && a.MetricsUrl == b.MetricsUrl && a.ApiKeyEnv == b.ApiKeyEnv
        && a.TimeoutSeconds.Equals(b.TimeoutSeconds) && a.MaxAnswerSeconds.Equals(b.MaxAnswerSeconds) && a.LendingPeer == b.LendingPeer;

    public void Dispose()
    {
        lock (_applying)
        {
            foreach (var b in _current.All.Concat(_borrowed).Concat(_retired.Select(r => r.Backend)))
            {
                _transports[b].Dispose();
                b.Dispose();
            }
        }
    }

    private Backend Open(BackendSettings b)
    {
        var backend = new Backend(b, _circuitBreak, _time);
        var transport = new BackendTransport(b, _handlers(b), _environment);
        _transports[backend] = transport;
        if (transport.UnusableKeyDetail is { } detail)
        {
            // Unhealthy from the start, and no probe can change that: the process environment is fixed.
            backend.Healthy = false;
            backend.HealthDetail = detail;
        }

        return backend;
    }

    private void Retire(Backend backend) => _retired.Add((backend, _time.GetUtcNow()));

    private void DisposeIdleRetired()
    {
        var now = _time.GetUtcNow();
        _retired.RemoveAll(r =>
        {
            if (r.Backend.InFlight > 0 || now - r.Since < RetiredGrace)
            {
                return false;
            }

            if (_transports.TryRemove(r.Backend, out var transport))
            {
                transport.Dispose();
            }

            r.Backend.Dispose();
            return true;
        });
    }

    private sealed class Snapshot
    {
        public Snapshot(List<Backend> all)
        {
            All = all;
            Models = new SortedSet<string>(all.SelectMany(b => b.Settings.Models), StringComparer.Ordinal);
        }

        public IReadOnlyList<Backend> All { get; }
        public SortedSet<string> Models { get; }
    }
}
