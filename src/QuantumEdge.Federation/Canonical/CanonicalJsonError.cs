namespace QuantumEdge.Federation.Canonical;

/// <summary>Why bytes are not an acceptable canonical-JSON document. The names are the wire reason codes.</summary>
internal enum CanonicalJsonError
{
    /// <summary>Not well-formed JSON (syntax, invalid UTF-8, trailing data, comments).</summary>
    MalformedJson,

    /// <summary>The document exceeds the byte limit.</summary>
    TooLarge,

    /// <summary>Objects/arrays nested deeper than the limit.</summary>
    TooDeep,

    /// <summary>More values, members or items than the limit.</summary>
    TooManyValues,

    /// <summary>A string longer than the limit.</summary>
    StringTooLong,

    /// <summary>One object holds the same key twice.</summary>
    DuplicateKey,

    /// <summary>A number that is not a finite IEEE-754 double (e.g. 1e400).</summary>
    InvalidNumber,

    /// <summary>A string holding a lone UTF-16 surrogate (not representable as UTF-8).</summary>
    InvalidString,
}
