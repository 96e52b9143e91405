using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Hosting;

/// <summary>Console logging per the <c>logging</c> block: text for people, JSON for shippers.</summary>
internal static class NodeLogging
{
    public static void Configure(ILoggingBuilder logging, LoggingSettings settings, bool quiet)
    {
        logging.ClearProviders();
        if (quiet)
        {
            return;
        }

        if (settings.Format == "json")
        {
            logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
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
