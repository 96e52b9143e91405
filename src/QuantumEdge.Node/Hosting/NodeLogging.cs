using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Hosting;

/// <summary>Console logging per the <c>logging</c> block: text for people, JSON for shippers.</summary>
internal static class NodeLogging
{
    /// <summary>UTC, RFC 3339 with milliseconds, e.g. 2026-11-29T08:15:35.123Z.</summary>
    public const string JsonTimestampFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'";

    public static void Configure(ILoggingBuilder logging, LoggingSettings settings, bool quiet)
    {
        logging.ClearProviders();
        if (quiet)
        {
            return;
        }

        // RFC 3339 in UTC: the 'Z' is only true with UseUtcTimestamp (the console loggers use local time otherwise).
        if (settings.Format == "json")
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = JsonTimestampFormat;
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                // The trailing space separates the stamp from the level in a text line.
                o.TimestampFormat = JsonTimestampFormat + " ";
                o.UseUtcTimestamp = true;
            });
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
    }
}
