using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>A failed body read is the client's 4xx only when it is the client's framing or pace; a client that left stays the caller's 499.</summary>
public sealed class RequestBodyFailureTests
{
    [Fact]
    public void A_chunk_size_that_overflows_is_a_400_naming_the_framing()
    {
        var error = RequestBodyFailure.Translate(new IOException("Bad chunk size data", new OverflowException()), CancellationToken.None);
        Assert.NotNull(error);
        Assert.Equal(400, error.Status);
        Assert.Equal("malformed_body", error.Code);
    }

    [Fact]
    public void A_client_resetting_the_connection_is_not_blamed_on_its_framing()
    {
        // Kestrel fails the body with these before RequestAborted is cancelled: a 400 would hide the 499.
        Assert.Null(RequestBodyFailure.Translate(new ConnectionResetException("Connection reset by peer"), CancellationToken.None));
        Assert.Null(RequestBodyFailure.Translate(new IOException("The client reset the request stream."), CancellationToken.None));
        using var gone = new CancellationTokenSource();
        gone.Cancel();
        Assert.Null(RequestBodyFailure.Translate(new IOException("Bad chunk size data", new OverflowException()), gone.Token));
    }

    [Theory]
    [InlineData(StatusCodes.Status408RequestTimeout, 408, "request_timeout")]
    [InlineData(StatusCodes.Status400BadRequest, 400, "incomplete_body")]
    [InlineData(StatusCodes.Status500InternalServerError, 400, "incomplete_body")]
    public void Kestrels_bad_requests_keep_their_client_status(int kestrel, int status, string code)
    {
        var error = RequestBodyFailure.Translate(new BadHttpRequestException("bad", kestrel), CancellationToken.None);
        Assert.NotNull(error);
        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.Code);
    }
}
