using Microsoft.Extensions.Logging.Console;
using QuantumEdge.Node.Hosting.LogLines;

namespace QuantumEdge.Node.Hosting.ConsoleLog;

/// <summary>
/// The <c>json</c> console log: the same lines as the framework's JSON console logger (its own
/// formatter, run on the calling thread), written to standard output by a <see cref="LineBatchWriter"/>
/// many at a time. The framework's console logger wakes its thread and makes one write per line: at
/// one line per request its thread took 6–7 % of the node's CPU samples (perf, one connection, the
/// bench/wrk setup); this writer's thread takes under 1 %.
/// </summary>
internal sealed class BatchedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConsoleFormatter _formatter;
    private readonly LineBatchWriter _writer;
    private IExternalScopeProvider? _scopes;

    public BatchedConsoleLoggerProvider(ConsoleFormatter formatter, LineBatchWriter writer)
    {
        _formatter = formatter;
        _writer = writer;
    }

    public ILogger CreateLogger(string categoryName) => new FormattedLineLogger(categoryName, _formatter, () => _scopes, line => _writer.Offer(line));

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() => _writer.Dispose();
}
