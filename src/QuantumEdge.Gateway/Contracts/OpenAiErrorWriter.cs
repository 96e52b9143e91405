using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace QuantumEdge.Gateway.Contracts;

/// <summary>
/// Writes a <see cref="GatewayError"/> as an OpenAI-shaped error response; every endpoint uses it.
/// When the request still has an unread body (a refusal before reading it, or a body cut short),
/// the connection is closed after the answer instead of being kept alive: keeping it would make
/// the server read and discard whatever the client declared, up to any size.
/// </summary>
public static class OpenAiErrorWriter
{
    /// <summary>
    /// Records that the request body was read to its end (the connection may then be reused). A
    /// feature rather than an <c>Items</c> entry: the first use of <c>Items</c> allocates its
    /// feature, a dictionary and its buckets on every request.
    /// </summary>
    public static void MarkBodyConsumed(HttpContext ctx) => ctx.Features.Set(BodyConsumed.Instance);

    public static async Task WriteAsync(HttpContext ctx, GatewayError error)
    {
        if (ctx.Response.HasStarted)
        {
            ctx.Abort();
            return;
        }

        ctx.Response.Clear();
        ctx.Response.StatusCode = error.Status;
        if (error.RetryAfterSeconds is { } retry)
        {
            ctx.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        }

        if (error.Status == 401)
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
        }

        if (HasUnreadBody(ctx))
        {
            if (HttpProtocol.IsHttp11(ctx.Request.Protocol) || HttpProtocol.IsHttp10(ctx.Request.Protocol))
            {
                ctx.Response.Headers.Connection = "close";
            }

            // Kestrel drains an unread body after the response; with no body allowed that drain ends at once.
            if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = 0;
            }
        }

        await ctx.Response.WriteAsJsonAsync(error.ToEnvelope(), GatewayJsonContext.Default.OpenAiErrorEnvelope).ConfigureAwait(false);
    }

    private static bool HasUnreadBody(HttpContext ctx) =>
        ctx.Features.Get<BodyConsumed>() is null
        && (ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0);

    /// <summary>The marker <see cref="MarkBodyConsumed"/> sets; one shared instance, it holds nothing.</summary>
    private sealed class BodyConsumed
    {
        public static readonly BodyConsumed Instance = new();
    }
}
