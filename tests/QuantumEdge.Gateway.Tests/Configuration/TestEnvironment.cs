namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary>Stand-ins for the process environment, so tests never read or change the real one.</summary>
internal static class TestEnvironment
{
    public static readonly Func<string, string?> Empty = _ => null;

    public static Func<string, string?> With(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.GetValueOrDefault(name);
    }
}
