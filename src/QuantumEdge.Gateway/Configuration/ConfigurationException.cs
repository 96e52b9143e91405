namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// A configuration value that stops start-up. <see cref="Key"/> names the offending key as a
/// dotted path (for example <c>backends[0].max_concurrency</c>) so the operator can find it.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string key, string problem)
        : base($"configuration error at '{key}': {problem}")
    {
        Key = key;
        Problem = problem;
    }

    public ConfigurationException() : this("(unknown)", "invalid configuration") { }

    public ConfigurationException(string message) : this("(unknown)", message) { }

    public ConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
        Key = "(unknown)";
        Problem = message;
    }

    /// <summary>The dotted path of the key at fault.</summary>
    public string Key { get; } = "(unknown)";

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; } = "";
}
