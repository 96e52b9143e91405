namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// A step in the request path after authorisation and classification that may refuse a request
/// (the privacy budget) and that is told how every request ended (the audit trail).
/// </summary>
public interface IRequestGate
{
    /// <summary>Throws <see cref="Contracts.GatewayError"/> to refuse. Called once the request is known to be routable.</summary>
    ValueTask AdmitAsync(RequestRecord record, ReadOnlyMemory<byte> prompt, CancellationToken ct);

    /// <summary>Called once per request, admitted or refused, after the answer is complete.</summary>
    ValueTask CompleteAsync(RequestRecord record);
}
