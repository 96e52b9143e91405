namespace QuantumEdge.Federation.Envelopes;

/// <summary>The reason codes of <see cref="Refusal"/> (wire contract; also metric labels).</summary>
internal static class RefusalReason
{
    // 400: the bytes are not an acceptable envelope.
    public const string TooLarge = "too_large";
    public const string MalformedJson = "malformed_json";
    public const string TooDeep = "too_deep";
    public const string TooManyValues = "too_many_values";
    public const string StringTooLong = "string_too_long";
    public const string DuplicateKey = "duplicate_key";
    public const string InvalidNumber = "invalid_number";
    public const string InvalidString = "invalid_string";
    public const string MissingField = "missing_field";
    public const string WrongType = "wrong_type";
    public const string InvalidValue = "invalid_value";
    public const string UnsupportedSchemaVersion = "unsupported_schema_version";

    // 401: not from a peer we trust, or not signed by it.
    public const string UnknownOrigin = "unknown_origin";
    public const string WrongFederation = "wrong_federation";
    public const string BadSignature = "bad_signature";

    // 409: authentic, but in conflict with what this node already holds.
    public const string Replay = "replay";
    public const string Stale = "stale";
    public const string StaleEpoch = "stale_epoch";
    public const string Equivocation = "equivocation";
    public const string AuditFork = "audit_fork";
    public const string Quarantined = "quarantined";
    public const string ClockSkew = "clock_skew";

    /// <summary>Every code, for pre-registering metric label values.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        TooLarge, MalformedJson, TooDeep, TooManyValues, StringTooLong, DuplicateKey, InvalidNumber, InvalidString,
        MissingField, WrongType, InvalidValue, UnsupportedSchemaVersion, UnknownOrigin, WrongFederation, BadSignature,
        Replay, Stale, StaleEpoch, Equivocation, AuditFork, Quarantined, ClockSkew,
    ];

    internal static string For(Canonical.CanonicalJsonError error) => error switch
    {
        Canonical.CanonicalJsonError.TooLarge => TooLarge,
        Canonical.CanonicalJsonError.TooDeep => TooDeep,
        Canonical.CanonicalJsonError.TooManyValues => TooManyValues,
        Canonical.CanonicalJsonError.StringTooLong => StringTooLong,
        Canonical.CanonicalJsonError.DuplicateKey => DuplicateKey,
        Canonical.CanonicalJsonError.InvalidNumber => InvalidNumber,
        Canonical.CanonicalJsonError.InvalidString => InvalidString,
        _ => MalformedJson,
    };
}
