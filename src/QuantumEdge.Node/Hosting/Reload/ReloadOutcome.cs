namespace QuantumEdge.Node.Hosting.Reload;

/// <summary>
/// What one configuration reload did. <paramref name="ConfigSha256"/> is the SHA-256 of the new
/// configuration as <c>check-config</c> prints it (secrets masked), null when it could not be read.
/// </summary>
internal sealed record ReloadOutcome(bool Applied, string Summary, string? ConfigSha256, IReadOnlyList<string> NeedsRestart, long? AuditSeq);
