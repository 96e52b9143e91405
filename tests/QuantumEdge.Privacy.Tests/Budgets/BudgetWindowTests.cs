namespace QuantumEdge.Privacy.Tests.Budgets;

public sealed class BudgetWindowTests
{
    [Fact]
    public void Utc_days()
    {
        var window = BudgetWindow.FromId("UTC");
        var now = new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.Zero);
        Assert.Equal("2024-02-29", window.DayKey(now));
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), window.NextWindowStart(now));
        // The key is taken in the window's zone, whatever offset the input carries.
        Assert.Equal("2024-03-01", window.DayKey(new DateTimeOffset(2024, 2, 29, 23, 0, 0, TimeSpan.FromHours(-2))));
    }

    [Fact]
    public void New_york_spring_forward_day_is_23_hours()
    {
        var window = BudgetWindow.FromId("America/New_York");
        var lateSaturday = DateTimeOffset.Parse("2024-03-10T04:30:00Z", System.Globalization.CultureInfo.InvariantCulture); // 23:30 EST, 9 March
        Assert.Equal("2024-03-09", window.DayKey(lateSaturday));
        var sundayStart = window.NextWindowStart(lateSaturday);
        Assert.Equal(new DateTimeOffset(2024, 3, 10, 0, 0, 0, TimeSpan.FromHours(-5)), sundayStart);
        Assert.Equal(TimeSpan.FromHours(-5), sundayStart.Offset);

        Assert.Equal("2024-03-10", window.DayKey(sundayStart));
        Assert.Equal("2024-03-09", window.DayKey(sundayStart.AddTicks(-1)));
        var mondayStart = window.NextWindowStart(sundayStart.AddHours(3)); // after the 02:00 jump
        Assert.Equal(new DateTimeOffset(2024, 3, 11, 0, 0, 0, TimeSpan.FromHours(-4)), mondayStart);
        Assert.Equal(TimeSpan.FromHours(23), mondayStart - sundayStart);
    }

    [Fact]
    public void New_york_fall_back_day_is_25_hours()
    {
        var window = BudgetWindow.FromId("America/New_York");
        var sundayStart = new DateTimeOffset(2024, 11, 3, 0, 0, 0, TimeSpan.FromHours(-4));
        var mondayStart = window.NextWindowStart(sundayStart.AddMinutes(90)); // inside the repeated hour
        Assert.Equal(new DateTimeOffset(2024, 11, 4, 0, 0, 0, TimeSpan.FromHours(-5)), mondayStart);
        Assert.Equal(TimeSpan.FromHours(25), mondayStart - sundayStart);
        Assert.Equal("2024-11-03", window.DayKey(mondayStart.AddTicks(-1)));
        Assert.Equal("2024-11-04", window.DayKey(mondayStart));
    }

    [Fact]
    public void A_day_whose_midnight_does_not_exist_starts_at_the_first_local_time_that_does()
    {
        // Chile moved clocks from 00:00 to 01:00 on 8 September 2024.
        var window = BudgetWindow.FromId("America/Santiago");
        var saturdayNoon = new DateTimeOffset(2024, 9, 7, 12, 0, 0, TimeSpan.FromHours(-4));
        var start = window.NextWindowStart(saturdayNoon);
        Assert.Equal(new DateTimeOffset(2024, 9, 8, 1, 0, 0, TimeSpan.FromHours(-3)), start);
        Assert.Equal("2024-09-08", window.DayKey(start));
        Assert.Equal("2024-09-07", window.DayKey(start.AddTicks(-1)));
    }

    [Fact]
    public void Unknown_zone_is_named_in_the_error()
    {
        var error = Assert.Throws<ArgumentException>(() => BudgetWindow.FromId("Mars/Olympus_Mons"));
        Assert.Contains("Mars/Olympus_Mons", error.Message, StringComparison.Ordinal);
    }
}
