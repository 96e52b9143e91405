namespace QuantumEdge.Federation.Canonical;

/// <summary>The kinds of JSON value the canonical form knows.</summary>
internal enum CanonicalKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>
/// An immutable parsed JSON value. Object members are kept sorted by key in UTF-16 code-unit
/// order (RFC 8785 §3.2.3) and keys are unique; numbers are IEEE-754 doubles and finite.
/// </summary>
internal sealed class CanonicalNode
{
    public static readonly CanonicalNode TrueValue = new(CanonicalKind.True);
    public static readonly CanonicalNode FalseValue = new(CanonicalKind.False);
    public static readonly CanonicalNode NullValue = new(CanonicalKind.Null);

    private static readonly IReadOnlyList<KeyValuePair<string, CanonicalNode>> NoMembers = [];
    private static readonly IReadOnlyList<CanonicalNode> NoItems = [];

    private CanonicalNode(CanonicalKind kind, string? text = null, double number = 0,
        IReadOnlyList<KeyValuePair<string, CanonicalNode>>? members = null, IReadOnlyList<CanonicalNode>? items = null)
    {
        Kind = kind;
        Text = text;
        Number = number;
        Members = members ?? NoMembers;
        Items = items ?? NoItems;
    }

    public CanonicalKind Kind { get; }

    /// <summary>The string value (kind String).</summary>
    public string? Text { get; }

    /// <summary>The number value (kind Number).</summary>
    public double Number { get; }

    /// <summary>Object members sorted by key (kind Object).</summary>
    public IReadOnlyList<KeyValuePair<string, CanonicalNode>> Members { get; }

    /// <summary>Array items in order (kind Array).</summary>
    public IReadOnlyList<CanonicalNode> Items { get; }

    public static CanonicalNode String(string value) => new(CanonicalKind.String, text: value);

    public static CanonicalNode FromNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON numbers must be finite.");
        }

        // -0 and 0 are the same JSON number; keep one representation.
        return new(CanonicalKind.Number, number: value == 0 ? 0 : value);
    }

    public static CanonicalNode Bool(bool value) => value ? TrueValue : FalseValue;

    public static CanonicalNode Array(IReadOnlyList<CanonicalNode> items) => new(CanonicalKind.Array, items: items);

    /// <summary>An object from members in any order; duplicate keys are an error.</summary>
    public static CanonicalNode Object(IEnumerable<KeyValuePair<string, CanonicalNode>> members)
    {
        var sorted = members.ToList();
        sorted.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 1; i < sorted.Count; i++)
        {
            if (string.Equals(sorted[i - 1].Key, sorted[i].Key, StringComparison.Ordinal))
            {
                throw new CanonicalJsonException(CanonicalJsonError.DuplicateKey, $"key '{Shorten(sorted[i].Key)}' appears more than once in one object");
            }
        }

        return new(CanonicalKind.Object, members: sorted);
    }

    /// <summary>The member named <paramref name="key"/>, or null.</summary>
    public CanonicalNode? Get(string key)
    {
        // Members are sorted ordinally: binary search.
        var lo = 0;
        var hi = Members.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(Members[mid].Key, key);
            if (c == 0)
            {
                return Members[mid].Value;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return null;
    }

    /// <summary>A copy of this object without the member <paramref name="key"/>.</summary>
    public CanonicalNode Without(string key) =>
        new(CanonicalKind.Object, members: Members.Where(m => !string.Equals(m.Key, key, StringComparison.Ordinal)).ToList());

    internal static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
