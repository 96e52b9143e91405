using System.Globalization;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>Parses operator-friendly durations such as <c>90s</c>, <c>15m</c>, <c>8h</c>, <c>2d</c>.</summary>
public static class Durations
{
    /// <summary>
    /// The longest duration any setting accepts (100 years): a date computed from now plus or minus a
    /// longer one can leave the calendar, which would surface as an unexplained crash rather than a
    /// message naming the setting.
    /// </summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(36_500);

    /// <summary>The duration <paramref name="text"/> names, at most <see cref="Longest"/>.</summary>
    public static TimeSpan Parse(string key, string text) => Parse(key, text, Longest);

    /// <summary>The duration <paramref name="text"/> names, at most <paramref name="longest"/>.</summary>
    public static TimeSpan Parse(string key, string text, TimeSpan longest)
    {
        var t = text.Trim();
        if (t.Length >= 2 && double.TryParse(t.AsSpan(0, t.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && double.IsFinite(n))
        {
            double? seconds = char.ToLowerInvariant(t[^1]) switch
            {
                's' => n,
                'm' => n * 60,
                'h' => n * 3600,
                'd' => n * 86_400,
                _ => null,
            };
            if (seconds is { } s)
            {
                // Compared as seconds first: a TimeSpan of 1e20 days does not exist to compare.
                var duration = s <= longest.TotalSeconds
                    ? TimeSpan.FromSeconds(s)
                    : throw new ConfigurationException(key, string.Create(CultureInfo.InvariantCulture,
                        $"'{text}' is longer than the longest allowed here, {longest.TotalDays:0.###}d"));
                return duration > TimeSpan.Zero
                    ? duration
                    : throw new ConfigurationException(key, $"'{text}' is shorter than the shortest duration there is (100 ns); a duration here must be longer than zero, such as 90s, 15m, 8h or 2d");
            }
        }

        throw new ConfigurationException(key, t.Length >= 2 && "smhd".Contains(char.ToLowerInvariant(t[^1]), StringComparison.Ordinal)
                && double.TryParse(t.AsSpan(0, t.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var notPositive) && notPositive <= 0
            ? $"'{text}' is not longer than zero; a duration here must be, such as 90s, 15m, 8h or 2d"
            : $"'{text}' is not a duration such as 90s, 15m, 8h or 2d");
    }
}
