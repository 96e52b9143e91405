using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// All configured backends (their state, and apart from it their transports) and the permission
/// filter every routing decision goes through.
/// </summary>
public sealed class BackendRegistry : IDisposable
{
    private readonly SortedSet<string> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<Backend, BackendTransport> _transports = new(ReferenceEqualityComparer.Instance);
    private readonly List<Backend> _borrowed = [];

    public BackendRegistry(NodeConfiguration config, Func<string, string?>? environment = null, BackendHandlerFactory? handlers = null, TimeProvider? time = null)
    {
        handlers ??= SocketsBackendHandlers.Create;
        var list = new List<Backend>();
        foreach (var b in config.Backends)
        {
            var backend = new Backend(b, TimeSpan.FromSeconds(config.Server.CircuitBreakSeconds), time);
            list.Add(backend);
            var transport = new BackendTransport(b, handlers(b), environment);
            _transports.Add(backend, transport);
            if (transport.MissingKeyVariable is { } variable)
            {
                // Unhealthy from the start, and no probe can change that: the process environment is fixed.
                backend.Healthy = false;
                backend.HealthDetail = BackendTransport.MissingKeyDetail(variable);
            }

            _models.UnionWith(b.Models);
        }

        All = list;
    }

    public IReadOnlyList<Backend> All { get; }

    /// <summary>Peers' lent capacity (<c>federation.lending.borrow</c>): never in <see cref="All"/> or <see cref="Permitted"/>; offered by <see cref="Lending.BorrowedCapacity"/>.</summary>
    public IReadOnlyList<Backend> Borrowed => _borrowed;

    /// <summary>Adds a borrowed backend; only while the node is being composed, before any request.</summary>
    internal void AddBorrowed(Backend backend, BackendTransport transport)
    {
        _borrowed.Add(backend);
        _transports.Add(backend, transport);
    }

    /// <summary>The union of all backends' models, sorted.</summary>
    public IReadOnlyCollection<string> Models => _models;

    public bool KnowsModel(string model) => _models.Contains(model);

    /// <summary>How to reach <paramref name="backend"/>.</summary>
    public BackendTransport TransportOf(Backend backend) => _transports[backend];

    /// <summary>
    /// Backends that may receive a request of this model and classification. This is the only
    /// place that decides permission; planners choose among what it returns, never beyond.
    /// </summary>
    public List<Backend> Permitted(string model, DataClassification classification)
    {
        var result = new List<Backend>(All.Count);
        foreach (var b in All)
        {
            if (b.Serves(model) && b.Permits(classification))
            {
                result.Add(b);
            }
        }

        return result;
    }

    public void Dispose()
    {
        foreach (var b in All.Concat(_borrowed))
        {
            _transports[b].Dispose();
            b.Dispose();
        }
    }
}
