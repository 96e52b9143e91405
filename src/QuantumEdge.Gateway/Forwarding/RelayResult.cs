namespace QuantumEdge.Gateway.Forwarding;

/// <summary>How a relay of a backend's answer to the client ended.</summary>
internal enum RelayOutcome
{
    /// <summary>The backend's answer ended normally and all of it reached the client.</summary>
    Completed,
    /// <summary>The backend closed or reset the connection before its answer was complete.</summary>
    UpstreamAborted,
    /// <summary>The backend sent nothing for longer than its timeout.</summary>
    IdleTimeout,
    /// <summary>The backend was still sending when its answer's time (<c>max_answer_seconds</c>) ran out.</summary>
    AnswerTimeLimit,
    /// <summary>The backend sent more than the relay accepts (an answer, or one server-sent event).</summary>
    TooLarge,
    /// <summary>The client disconnected (or its request was cancelled).</summary>
    ClientGone,
    /// <summary>The backend sent a server-sent event whose data is neither JSON nor <c>[DONE]</c>; it was not relayed.</summary>
    MalformedEvent,
}

/// <summary>
/// What crossed a relay and how it ended. Relays return this instead of throwing, so the request
/// path decides what each ending means (retry, error event, audit) without guessing from
/// exception types.
/// </summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Usage">Token counts read from the answer, when it carried them.</param>
/// <param name="BytesForwarded">Bytes written to the client.</param>
/// <param name="Events">Server-sent events written to the client (0 for a plain body).</param>
/// <param name="TextDisclosed">True once completion text may have reached the client.</param>
internal readonly record struct RelayResult(RelayOutcome Outcome, TokenUsage? Usage, long BytesForwarded, int Events, bool TextDisclosed)
{
    /// <summary>True when nothing was written to the client: the request can still go elsewhere.</summary>
    public bool NothingSent => BytesForwarded == 0;
}
