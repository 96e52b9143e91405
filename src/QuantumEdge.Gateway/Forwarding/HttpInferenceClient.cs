using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>The client side of an inference request over Kestrel.</summary>
internal sealed class HttpInferenceClient(HttpContext ctx) : IInferenceClient
{
    public CancellationToken Gone => ctx.RequestAborted;

    public bool HasStarted => ctx.Response.HasStarted;

    public Stream Body => ctx.Response.Body;

    public void Begin(AnswerHead head)
    {
        var response = ctx.Response;
        response.StatusCode = head.Status;
        response.Headers["X-QuantumEdge-Backend"] = head.Backend;
        if (head.ContentType is { } type)
        {
            response.ContentType = type;
        }

        if (head.ContentLength is { } length)
        {
            response.ContentLength = length;
        }

        if (head.EventStream)
        {
            ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
        }
    }

    public void Abort() => ctx.Abort();
}
