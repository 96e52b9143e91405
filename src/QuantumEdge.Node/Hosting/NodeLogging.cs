using Microsoft.Extensions.Logging.Console;
using Prometheus;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Hosting.ConsoleLog;
using QuantumEdge.Node.Hosting.LogFiles;
using QuantumEdge.Node.Hosting.LogLines;

namespace QuantumEdge.Node.Hosting;

/// <summary>Console logging per the <c>logging</c> block: text for people, JSON for shippers; and optionally the JSON lines in a rotating file.</summary>
internal static class NodeLogging
{
    /// <summary>UTC, RFC 3339 with milliseconds, e.g. 2026-11-29T08:15:35.123Z.</summary>
    public const string JsonTimestampFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'";

    /// <summary>Lines that may wait for the log file's writer; beyond this they are dropped and counted.</summary>
    internal const int FileQueueCapacity = 16_384;

    /// <summary>Lines that may wait for the standard output writer; beyond this they are dropped and counted.</summary>
    internal const int ConsoleQueueCapacity = 16_384;

    public static void Configure(ILoggingBuilder logging, LoggingSettings settings, bool quiet, CollectorRegistry? metrics = null)
    {
        logging.ClearProviders();
        if (quiet)
        {
            return;
        }

        if (settings.Format == "json")
        {
            UseBatchedConsole(logging, metrics);
        }
        else
        {
            // RFC 3339 in UTC: the 'Z' is only true with UseUtcTimestamp (the console loggers use local time otherwise).
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                // The trailing space separates the stamp from the level in a text line.
                o.TimestampFormat = JsonTimestampFormat + " ";
                o.UseUtcTimestamp = true;
            });
        }

        if (settings.File is { } path)
        {
            AddFile(logging, settings, path, metrics);
        }

        logging.SetMinimumLevel(settings.Level switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            "none" => LogLevel.None,
            _ => LogLevel.Information,
        });
        // Kestrel and routing chatter at Information would log every request line.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
        // ASP.NET Core starts a trace (an Activity, a W3C id and a log scope) for every request as soon as
        // this category is enabled at any level, and the backends' HTTP client then sent its traceparent on
        // to the model server. The node exports no traces: it was 1–2 % of its CPU at saturation for
        // nothing anyone could read, and it carried a caller's trace id across the gateway. What this
        // category logs besides request lines (a failed start) reaches the operator as the node's own
        // start-up error.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
    }

    /// <summary>
    /// The JSON console: the framework JSON console formatter's lines, written by <see cref="JsonLogLine"/>
    /// and a <see cref="BatchedConsoleLoggerProvider"/> instead of the framework's one-write-per-line console logger.
    /// </summary>
    private static void UseBatchedConsole(ILoggingBuilder logging, CollectorRegistry? metrics)
    {
        var dropped = metrics is null ? null : NodeMetricFactory.For(metrics).CreateCounter("quantumedge_console_log_lines_dropped_total",
            "Log lines not written to standard output because its reader fell behind (the queue was full).");
        logging.Services.AddSingleton<ILoggerProvider>(_ => new BatchedConsoleLoggerProvider(
            new LineBatchWriter(new StreamLineSink(Console.OpenStandardOutput()), ConsoleQueueCapacity, dropped is null ? null : () => dropped.Inc())));
    }

    private static void AddFile(ILoggingBuilder logging, LoggingSettings settings, string path, CollectorRegistry? metrics)
    {
        RotatingLogFile file;
        try
        {
            // Opened now, so that a path the node cannot write is a configuration error before anything listens.
            file = new RotatingLogFile(path, settings.MaxFileMb * 1024L * 1024L, settings.MaxFiles);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException("logging.file", $"cannot open '{path}' for appending: {e.Message}");
        }

        // The JSON console's lines, whatever the console's own format.
        var dropped = metrics is null ? null : NodeMetricFactory.For(metrics).CreateCounter("quantumedge_log_lines_dropped_total",
            "Log lines not written to logging.file because its writer fell behind (the queue was full).");
        var failed = metrics is null ? null : NodeMetricFactory.For(metrics).CreateCounter("quantumedge_log_write_failures_total",
            "Writes of log lines to logging.file that the file system refused (a full disk, a removed directory): their lines are lost.");
        logging.Services.AddSingleton<ILoggerProvider>(_ => new FileLoggerProvider(file, FileQueueCapacity, dropped is null ? null : () => dropped.Inc(),
            onFail: failed is null ? null : () => failed.Inc()));
    }
}
