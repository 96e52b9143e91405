namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// A listener's certificate: <c>server.tls</c> (the API, and metrics unless <c>server.metrics_tls</c>
/// is set). PEM files; the key unencrypted, readable only by the service. The files are checked for
/// changes every <see cref="ReloadCheckSeconds"/> and a new pair is served on new connections.
/// </summary>
public sealed record TlsSettings
{
    public required string CertificateFile { get; init; }
    public required string KeyFile { get; init; }
    /// <summary>How often the files' size and modification time are compared (no inotify).</summary>
    public int ReloadCheckSeconds { get; init; } = 60;

    /// <summary>The block's dotted path, e.g. <c>server.tls</c>, for error messages.</summary>
    public string Path { get; init; } = "server.tls";

    internal static TlsSettings? Read(YamlSection s)
    {
        if (!s.Exists)
        {
            return null;
        }

        var result = new TlsSettings
        {
            CertificateFile = Required(s, "certificate_file"),
            KeyFile = Required(s, "key_file"),
            ReloadCheckSeconds = s.Int("reload_check_seconds", 60, 1, 86_400),
            Path = s.Path,
        };
        s.RejectUnknownKeys();
        return result;
    }

    private static string Required(YamlSection s, string key) =>
        s.OptionalString(key) is { } v && !string.IsNullOrWhiteSpace(v)
            ? v
            : throw new ConfigurationException(s.KeyPath(key), $"is required in {s.Path} (a PEM file)");
}
