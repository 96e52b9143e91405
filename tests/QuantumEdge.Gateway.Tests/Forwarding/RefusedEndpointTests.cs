using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>The audit trail names a refused endpoint by its route pattern and a well-known method, nothing the caller typed.</summary>
public sealed class RefusedEndpointTests
{
    [Theory]
    [InlineData("post", "POST /v1/batches/{id}")]
    [InlineData("GET", "GET /v1/batches/{id}")]
    [InlineData("X-IGNORE-PREVIOUS;detail=forged", "OTHER /v1/batches/{id}")]
    public void The_method_is_canonical_or_OTHER_and_the_route_is_its_pattern_not_the_path(string method, string expected)
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Method = method;
        ctx.Request.Path = "/v1/batches/patient-4711";
        ctx.SetEndpoint(new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/v1/batches/{id}"), 0, EndpointMetadataCollection.Empty, "batch"));

        Assert.Equal(expected, RefusedEndpoint.Name(ctx));
    }

    [Fact]
    public void A_request_without_an_endpoint_is_named_unrouted()
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Method = "DELETE";
        ctx.Request.Path = "/anything/the/caller/chose";

        Assert.Equal("DELETE (unrouted)", RefusedEndpoint.Name(ctx));
    }
}
