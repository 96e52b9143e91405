using System.Collections.Immutable;

namespace QuantumEdge.Gateway.Emergency;

/// <summary>
/// The emergency switches an administrator set at run time (<c>admin lockdown</c>, <c>admin halt</c>,
/// <c>admin revoke-tokens</c>), as persisted under the data directory and replaced whole on each change.
/// Revoked subjects are keyed by a keyed hash of the token's <c>sub</c>, never the plain id.
/// </summary>
public sealed record EmergencyState
{
    /// <summary>Most subjects revoked one by one; beyond that an administrator revokes everyone.</summary>
    public const int MaxRevokedSubjects = 10_000;

    public static readonly EmergencyState Empty = new();

    public bool LockedDown { get; init; }
    public DateTimeOffset? LockedDownSince { get; init; }
    public bool Halted { get; init; }
    public DateTimeOffset? HaltedSince { get; init; }

    /// <summary>Every token issued before this instant (or without <c>iat</c>) is refused.</summary>
    public DateTimeOffset? AllRevokedBefore { get; init; }

    /// <summary>Subject key → tokens of that subject issued before this instant are refused.</summary>
    public ImmutableSortedDictionary<string, DateTimeOffset> SubjectsRevokedBefore { get; init; } =
        ImmutableSortedDictionary<string, DateTimeOffset>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Seq of the audit record of the latest change (0 when it could not be audited or none was made).</summary>
    public long AuditSeq { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>
    /// Adds a revocation. A later stamp for everyone subsumes earlier per-subject stamps, which are
    /// dropped so the list stays short.
    /// </summary>
    public EmergencyState Revoke(string? subjectKey, DateTimeOffset before)
    {
        if (subjectKey is null)
        {
            var all = AllRevokedBefore is { } previous && previous > before ? previous : before;
            return this with
            {
                AllRevokedBefore = all,
                SubjectsRevokedBefore = SubjectsRevokedBefore.RemoveRange(SubjectsRevokedBefore.Where(p => p.Value <= all).Select(p => p.Key)),
            };
        }

        if (AllRevokedBefore is { } everyone && everyone >= before)
        {
            return this;
        }

        var stamp = SubjectsRevokedBefore.TryGetValue(subjectKey, out var existing) && existing > before ? existing : before;
        return this with { SubjectsRevokedBefore = SubjectsRevokedBefore.SetItem(subjectKey, stamp) };
    }
}
