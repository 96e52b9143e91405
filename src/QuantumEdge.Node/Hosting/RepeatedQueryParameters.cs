using QuantumEdge.Gateway.Contracts;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// Refuses a request to the API listener that gives a query parameter more than once (400, naming it).
/// ASP.NET Core joins repeated values with a comma, so <c>?classification=phi&amp;classification=public</c>
/// would otherwise reach an endpoint as the one value <c>phi,public</c> and be refused as something it
/// is not (an unknown classification) or, as a filter, match nothing without saying why. Every
/// parameter the node reads is single-valued, as a repeated JSON key in a body is refused.
/// </summary>
internal static class RepeatedQueryParameters
{
    public static void Use(WebApplication app) => app.Use((ctx, next) => Repeated(ctx.Request.Query) is { } repeated
        ? OpenAiErrorWriter.WriteAsync(ctx, GatewayError.BadRequest(
            $"query parameter '{MessageText.Shorten(repeated.Name)}' is given {repeated.Count} times; give it once", MessageText.Shorten(repeated.Name)))
        : next(ctx));

    /// <summary>The first parameter given more than once, or null.</summary>
    public static (string Name, int Count)? Repeated(IQueryCollection query)
    {
        foreach (var (name, values) in query)
        {
            if (values.Count > 1)
            {
                return (name, values.Count);
            }
        }

        return null;
    }
}
