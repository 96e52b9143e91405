namespace QuantumEdge.Gateway.Configuration;

/// <summary>The <c>logging</c> block. <c>LOG_LEVEL</c> overrides <c>level</c>.</summary>
public sealed record LoggingSettings
{
    public string Level { get; init; } = "information";
    /// <summary><c>text</c> for people, <c>json</c> for log shippers.</summary>
    public string Format { get; init; } = "text";

    internal static readonly string[] Levels = ["trace", "debug", "information", "warning", "error", "critical", "none"];

    internal static LoggingSettings Read(YamlSection s)
    {
        var result = new LoggingSettings
        {
            Level = NormaliseLevel(s.KeyPath("level"), s.String("level", "information")),
            Format = s.Choice("format", "text", "text", "json"),
        };
        s.RejectUnknownKeys();
        return result;
    }

    /// <summary>Accepts the deployment guide's spellings (INFO, WARN) as well as .NET's.</summary>
    internal static string NormaliseLevel(string key, string value) => value.Trim().ToLowerInvariant() switch
    {
        "trace" => "trace",
        "debug" => "debug",
        "info" or "information" => "information",
        "warn" or "warning" => "warning",
        "error" => "error",
        "critical" or "fatal" => "critical",
        "none" or "off" => "none",
        _ => throw new ConfigurationException(key, $"'{value}' is not a log level (trace, debug, info, warning, error, critical, none)"),
    };
}
