using QuantumEdge.Node.Hosting.LogLines;

namespace QuantumEdge.Node.Hosting.ConsoleLog;

/// <summary>
/// The <c>json</c> console log: the lines of the framework's JSON console formatter (written by
/// <see cref="JsonLogLine"/> on the calling thread), written to standard output by a
/// <see cref="LineBatchWriter"/> many at a time. The framework's console logger wakes its thread and
/// makes one write per line: at one line per request its thread took 6–7 % of the node's CPU samples
/// (perf, one connection, the bench/wrk setup); this writer's thread takes under 1 %.
/// </summary>
internal sealed class BatchedConsoleLoggerProvider(LineBatchWriter writer) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new JsonLineLogger(categoryName, line => writer.Offer(line));

    public void Dispose() => writer.Dispose();
}
