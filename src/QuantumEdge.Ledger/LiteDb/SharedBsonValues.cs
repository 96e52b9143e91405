using LiteDB;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// BSON values that audit records repeat (role, classification, backend, model, decision, status
/// codes, small counts), made once and shared by every document that holds them: a
/// <see cref="BsonValue"/> is immutable, and LiteDB shares <see cref="BsonValue.Null"/> the same way.
/// Bounded; one per store, used only by its writer thread.
/// </summary>
internal sealed class SharedBsonValues
{
    private const int StringLimit = 1024;
    private const int MaxSharedString = 64;
    private const int SmallInt32Count = 1024;
    private static readonly BsonValue[] SmallInt32s = [.. Enumerable.Range(0, SmallInt32Count).Select(i => new BsonValue(i))];

    private static readonly BsonValue PositiveZero = new(0.0);

    private readonly Dictionary<string, BsonValue> _strings = new(StringComparer.Ordinal);

    public static BsonValue Int32(int value) => (uint)value < SmallInt32Count ? SmallInt32s[value] : new BsonValue(value);

    /// <summary>+0.0 (the epsilon of every uncharged record) is shared; -0.0 keeps its own bits.</summary>
    public static BsonValue Double(double value) => BitConverter.DoubleToInt64Bits(value) == 0 ? PositiveZero : new BsonValue(value);

    public BsonValue String(string? value)
    {
        if (value is null)
        {
            return BsonValue.Null;
        }

        if (value.Length > MaxSharedString)
        {
            return new BsonValue(value);
        }

        if (!_strings.TryGetValue(value, out var shared))
        {
            if (_strings.Count >= StringLimit)
            {
                _strings.Clear();
            }

            shared = new BsonValue(value);
            _strings[value] = shared;
        }

        return shared;
    }
}
