using System.Globalization;

namespace QuantumEdge.Privacy;

/// <summary>The day a budget window belongs to, in a configurable time zone (IANA id or "UTC").</summary>
public sealed class BudgetWindow
{
    private readonly TimeZoneInfo _zone;

    public BudgetWindow(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        _zone = zone;
    }

    public TimeZoneInfo Zone => _zone;

    public static BudgetWindow FromId(string timeZoneId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(timeZoneId);
        if (string.Equals(timeZoneId, "UTC", StringComparison.OrdinalIgnoreCase))
        {
            return new BudgetWindow(TimeZoneInfo.Utc);
        }

        try
        {
            return new BudgetWindow(TimeZoneInfo.FindSystemTimeZoneById(timeZoneId));
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException($"Unknown time zone '{timeZoneId}': use an IANA id such as 'Europe/Berlin' or 'UTC'.", nameof(timeZoneId), ex);
        }
    }

    /// <summary>"yyyy-MM-dd" of <paramref name="now"/> in the zone.</summary>
    public string DayKey(DateTimeOffset now) =>
        TimeZoneInfo.ConvertTime(now, _zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The first instant of the next local day. Days are 23 or 25 hours long across DST changes;
    /// where a zone skips midnight itself (e.g. America/Santiago) the day starts at the first
    /// local time that exists, and where midnight repeats it starts at the first occurrence.
    /// </summary>
    public DateTimeOffset NextWindowStart(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, _zone);
        var midnight = DateTime.SpecifyKind(local.Date.AddDays(1), DateTimeKind.Unspecified);

        var start = midnight;
        while (_zone.IsInvalidTime(start))
        {
            start = start.AddMinutes(1);
        }

        var offset = _zone.IsAmbiguousTime(start) ? _zone.GetAmbiguousTimeOffsets(start).Max() : _zone.GetUtcOffset(start);
        return new DateTimeOffset(start, offset);
    }
}
