namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// The client's side of one inference request as the pipeline sees it: where the answer goes,
/// and whether the client is still there. The HTTP adapter implements it over Kestrel; the
/// pipeline never touches HTTP types.
/// </summary>
public interface IInferenceClient
{
    /// <summary>Cancelled when the client disconnects.</summary>
    CancellationToken Gone { get; }

    /// <summary>True once anything (status line included) was sent to the client.</summary>
    bool HasStarted { get; }

    /// <summary>The answer's body; the status and headers set by <see cref="Begin"/> leave with its first bytes.</summary>
    Stream Body { get; }

    /// <summary>Sets the answer's status and headers (sent with the first body bytes).</summary>
    void Begin(AnswerHead head);

    /// <summary>Cuts the connection: the only signal left once a plain answer is part-sent and then fails.</summary>
    void Abort();
}

/// <summary>Status and headers of a relayed answer.</summary>
/// <param name="Status">The backend's status code.</param>
/// <param name="ContentType">The backend's content type, if any.</param>
/// <param name="ContentLength">The backend's declared length, for a plain body.</param>
/// <param name="Backend">Id of the backend that answered (sent as <c>X-QuantumEdge-Backend</c>).</param>
/// <param name="EventStream">True for a server-sent-event stream (no buffering, no caching).</param>
public readonly record struct AnswerHead(int Status, string? ContentType, long? ContentLength, string Backend, bool EventStream);
