namespace QuantumEdge.Gateway.Configuration;

/// <summary>The <c>logging</c> block. <c>LOG_LEVEL</c> overrides <c>level</c>.</summary>
public sealed record LoggingSettings
{
    public string Level { get; init; } = "information";
    /// <summary><c>text</c> for people, <c>json</c> for log shippers.</summary>
    public string Format { get; init; } = "text";
    /// <summary>Also append the JSON lines to this file for log shippers (null: console only).</summary>
    public string? File { get; init; }
    /// <summary>Size at which <see cref="File"/> rotates, in MiB.</summary>
    public int MaxFileMb { get; init; } = 100;
    /// <summary>Files kept, the live one included; the oldest beyond this is deleted.</summary>
    public int MaxFiles { get; init; } = 5;

    internal static readonly string[] Levels = ["trace", "debug", "information", "warning", "error", "critical", "none"];

    internal static LoggingSettings Read(YamlSection s)
    {
        var result = new LoggingSettings
        {
            Level = NormaliseLevel(s.KeyPath("level"), s.String("level", "information")),
            Format = s.Choice("format", "text", "text", "json"),
            File = s.OptionalString("file"),
            MaxFileMb = s.Int("max_file_mb", 100, 1, 10_240),
            MaxFiles = s.Int("max_files", 5, 1, 1000),
        };
        if (result.File is { } file && (file.Length == 0 || file.EndsWith('/') || Directory.Exists(file)))
        {
            throw new ConfigurationException(s.KeyPath("file"), $"'{file}' is not a file path");
        }

        if (result.File is { } logFile)
        {
            DirectoryPath.CheckParentOf(s.KeyPath("file"), logFile);
            if (NotRegularFile(logFile) is { } kind)
            {
                // The node renames the file to rotate it and sets its mode: done to /dev/null as root, that breaks the host.
                throw new ConfigurationException(s.KeyPath("file"), $"'{logFile}' is {kind}, not a regular file: the log file is rotated (renamed) and its mode set, so it must be a file of its own");
            }
        }

        s.RejectUnknownKeys();
        return result;
    }

    /// <summary>What an existing path is when it is no regular file, following symbolic links to what they name; null for a regular file or none yet.</summary>
    private static string? NotRegularFile(string path)
    {
        var kind = QuantumEdge.Ledger.Storage.FileTypes.NotRegular(path);
        if (kind != "a symbolic link")
        {
            return kind;
        }

        try
        {
            var target = System.IO.File.ResolveLinkTarget(path, returnFinalTarget: true);
            return target is null ? null : QuantumEdge.Ledger.Storage.FileTypes.NotRegular(target.FullName);
        }
        catch (IOException)
        {
            return "a symbolic link that cannot be followed (a loop)";
        }
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
