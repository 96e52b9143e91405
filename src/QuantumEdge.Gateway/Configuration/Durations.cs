using System.Globalization;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>Parses operator-friendly durations such as <c>90s</c>, <c>15m</c>, <c>8h</c>, <c>2d</c>.</summary>
public static class Durations
{
    public static TimeSpan Parse(string key, string text)
    {
        var t = text.Trim();
        if (t.Length >= 2 && double.TryParse(t.AsSpan(0, t.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && double.IsFinite(n))
        {
            TimeSpan? span = char.ToLowerInvariant(t[^1]) switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => null,
            };
            if (span is { } s)
            {
                return s;
            }
        }

        throw new ConfigurationException(key, $"'{text}' is not a duration such as 90s, 15m, 8h or 2d");
    }
}
