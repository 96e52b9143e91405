using System.Globalization;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// Query parameters of the local admin socket, read strictly. The CLI builds these queries, but the
/// socket is an interface of its own: a repeated parameter (ASP.NET Core would join the values with a
/// comma), a control character or a time that does not parse is refused with a message naming the
/// parameter, never read as something else (all records, the path <c>a,b</c>).
/// </summary>
internal static class LocalQuery
{
    /// <summary>The parameter's single value (null when absent), or throws <see cref="LocalQueryException"/>.</summary>
    public static string? Single(HttpContext ctx, string name)
    {
        var values = ctx.Request.Query[name];
        if (values.Count > 1)
        {
            throw new LocalQueryException($"'{name}' is given {values.Count} times; give it once");
        }

        var value = values.Count == 1 ? values[0] : null;
        if (value is not null && value.Any(char.IsControl))
        {
            throw new LocalQueryException($"'{name}' holds a control character");
        }

        return value;
    }

    /// <summary>The <c>from</c>/<c>to</c> window (open ends when absent); unparseable or reversed is refused.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Window(HttpContext ctx)
    {
        var from = Time(ctx, "from", DateTimeOffset.MinValue);
        var to = Time(ctx, "to", DateTimeOffset.MaxValue);
        return from <= to ? (from, to) : throw new LocalQueryException($"'from' ({from:O}) is later than 'to' ({to:O})");
    }

    private static DateTimeOffset Time(HttpContext ctx, string name, DateTimeOffset absent) => Single(ctx, name) switch
    {
        null or "" => absent,
        var text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) => t,
        _ => throw new LocalQueryException($"'{name}' is not a date/time such as 2026-11-26 or 2026-11-26T08:00:00Z"),
    };
}

/// <summary>A local admin query that is refused (400) with a message naming the parameter.</summary>
internal sealed class LocalQueryException(string message) : Exception(message);
