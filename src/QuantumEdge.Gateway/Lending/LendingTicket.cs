using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Lending;

/// <summary>
/// What the borrower's signing handler needs to know about one attempt on a borrowed backend,
/// carried on the outgoing <see cref="HttpRequestMessage"/>: the data class (which it signs and
/// refuses to send unless lendable) and the fresh pseudonymous request id (which the request's
/// audit record names, so the two hospitals' audits can be matched without the lender learning
/// anything about the caller).
/// </summary>
internal sealed class LendingTicket
{
    public static readonly HttpRequestOptionsKey<LendingTicket> Key = new("QuantumEdge.Lending");

    private LendingTicket(DataClassification classification, string requestId)
    {
        Classification = classification;
        RequestId = requestId;
    }

    public DataClassification Classification { get; }
    public string RequestId { get; }

    /// <summary>Puts a ticket on the message and names the peer and the request id in the request's audit detail.</summary>
    public static void Attach(HttpRequestMessage message, RequestRecord record, string peer)
    {
        var ticket = new LendingTicket(record.Classification, QuantumEdge.Federation.Lending.LendingRequest.NewRequestId());
        message.Options.Set(Key, ticket);
        var detail = $"lent_to={peer};lend_request={ticket.RequestId}";
        record.Detail = record.Detail is null ? detail : $"{record.Detail};{detail}";
    }
}
