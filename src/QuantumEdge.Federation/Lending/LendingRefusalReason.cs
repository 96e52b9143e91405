namespace QuantumEdge.Federation.Lending;

/// <summary>
/// Why a lender refused a lending request (the <c>reason</c> of its error body, the
/// <see cref="LendingHeaders.Refusal"/> header and the metric label). Unauthenticated refusals
/// (400/401/409) change no state: no nonce is remembered, no slot taken, nothing audited.
/// </summary>
public static class LendingRefusalReason
{
    /// <summary>403: this node does not offer lending (<c>federation.lending.offer</c> is false).</summary>
    public const string NotOffered = "lending_not_offered";
    /// <summary>400: a lending header is missing or malformed.</summary>
    public const string Malformed = "malformed_lending_request";
    /// <summary>401: the borrower is not in this node's trust list.</summary>
    public const string UnknownPeer = "unknown_peer";
    /// <summary>401: the signature does not verify under the borrower's configured key (or covers another body).</summary>
    public const string BadSignature = "bad_signature";
    /// <summary>401: the signed timestamp is outside the skew window.</summary>
    public const string ClockSkew = "clock_skew";
    /// <summary>409: this request id was seen before within the window.</summary>
    public const string Replay = "replay";
    /// <summary>403: the borrower is quarantined (equivocation or an audit fork).</summary>
    public const string Quarantined = "quarantined";
    /// <summary>403: the data class is not public or internal (whatever either side's config says).</summary>
    public const string ClassificationNotLendable = "classification_not_lendable";
    /// <summary>404: the model is not in this node's lending offer.</summary>
    public const string ModelNotLent = "model_not_lent";
    /// <summary>429: the borrower already has max_concurrency_per_peer requests running here.</summary>
    public const string PeerConcurrencyLimit = "peer_concurrency_limit";
    /// <summary>429: the borrower sent more distinct requests within the replay window than this node remembers.</summary>
    public const string ReplayWindowFull = "replay_window_full";
    /// <summary>
    /// 503: this node restarted after a crash without the request ids it had admitted; a request signed up to
    /// one skew past that start could repeat one, so it is refused (see <see cref="LendingReplayHistory"/>).
    /// </summary>
    public const string ReplayHistoryLost = "replay_history_lost";
    /// <summary>503: this node is stopping; its replay window was saved and admits nothing more.</summary>
    public const string LenderStopping = "lender_stopping";
    /// <summary>503: this node has no backend cleared for the data class and model (or all failed).</summary>
    public const string NoPermittedBackend = "no_permitted_backend";
    /// <summary>Borrower side: the request's class is not lendable, so it was never sent.</summary>
    public const string NotLendableLocally = "not_lendable";
    /// <summary>503: the lender's administrator halted inference there.</summary>
    public const string LenderHalted = "node_halted";
    /// <summary>503: the lender is locked down to its administrators.</summary>
    public const string LenderLockedDown = "node_locked_down";
    /// <summary>Borrower side: a lender's refusal header that names none of these reasons.</summary>
    public const string Unrecognised = "unrecognised";

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        NotOffered, Malformed, UnknownPeer, BadSignature, ClockSkew, Replay, Quarantined, ClassificationNotLendable, ModelNotLent,
        PeerConcurrencyLimit, ReplayWindowFull, ReplayHistoryLost, LenderStopping, NoPermittedBackend, LenderHalted, LenderLockedDown,
    };

    /// <summary>
    /// A lender's refusal header as the borrower records it: the reason when it is one of this list, else
    /// <see cref="Unrecognised"/>. The header is the peer's unsigned text, and the borrower makes a metric label of it.
    /// </summary>
    public static string FromPeer(string? header) => header is not null && Known.Contains(header) ? header : Unrecognised;
}
