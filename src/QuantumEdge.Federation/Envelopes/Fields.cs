using System.Globalization;
using QuantumEdge.Federation.Canonical;

namespace QuantumEdge.Federation.Envelopes;

/// <summary>Typed reads of fields from a parsed object; each failure names the field and the problem.</summary>
internal static class Fields
{
    /// <summary>Largest integer a double holds exactly (I-JSON, RFC 7493 §2.2).</summary>
    public const long MaxSafeInteger = (1L << 53) - 1;

    public static CanonicalNode Required(CanonicalNode obj, string name, string path)
    {
        if (obj.Kind != CanonicalKind.Object)
        {
            throw new EnvelopeFormatException(RefusalReason.WrongType, $"{path} must be an object");
        }

        return obj.Get(name) ?? throw new EnvelopeFormatException(RefusalReason.MissingField, $"{Join(path, name)} is missing");
    }

    public static CanonicalNode? Optional(CanonicalNode obj, string name)
    {
        var value = obj.Get(name);
        return value is null || value.Kind == CanonicalKind.Null ? null : value;
    }

    public static string String(CanonicalNode value, string path, int maxLength = 256)
    {
        if (value.Kind != CanonicalKind.String)
        {
            throw WrongType(path, "a string", value);
        }

        if (value.Text!.Length > maxLength)
        {
            throw new EnvelopeFormatException(RefusalReason.InvalidValue, $"{path} is longer than {maxLength} characters");
        }

        return value.Text;
    }

    public static long Integer(CanonicalNode value, string path, long min, long max = MaxSafeInteger)
    {
        if (value.Kind != CanonicalKind.Number)
        {
            throw WrongType(path, "an integer", value);
        }

        var n = value.Number;
        if (!double.IsInteger(n) || n < min || n > max)
        {
            throw new EnvelopeFormatException(RefusalReason.InvalidValue,
                string.Create(CultureInfo.InvariantCulture, $"{path} must be an integer in [{min}, {max}]"));
        }

        return (long)n;
    }

    public static double Number(CanonicalNode value, string path, double min = double.MinValue, double max = double.MaxValue)
    {
        if (value.Kind != CanonicalKind.Number)
        {
            throw WrongType(path, "a number", value);
        }

        if (value.Number < min || value.Number > max)
        {
            throw new EnvelopeFormatException(RefusalReason.InvalidValue,
                string.Create(CultureInfo.InvariantCulture, $"{path} must be in [{min}, {max}]"));
        }

        return value.Number;
    }

    public static bool Bool(CanonicalNode value, string path) => value.Kind switch
    {
        CanonicalKind.True => true,
        CanonicalKind.False => false,
        _ => throw WrongType(path, "true or false", value),
    };

    public static IReadOnlyList<CanonicalNode> Array(CanonicalNode value, string path, int maxItems)
    {
        if (value.Kind != CanonicalKind.Array)
        {
            throw WrongType(path, "an array", value);
        }

        if (value.Items.Count > maxItems)
        {
            throw new EnvelopeFormatException(RefusalReason.InvalidValue, $"{path} holds more than {maxItems} items");
        }

        return value.Items;
    }

    public static byte[] Hex(CanonicalNode value, string path, int bytes)
    {
        var text = String(value, path, bytes * 2);
        if (text.Length != bytes * 2 || !IsLowerHex(text))
        {
            throw new EnvelopeFormatException(RefusalReason.InvalidValue, $"{path} must be {bytes * 2} lower-case hex digits");
        }

        return Convert.FromHexString(text);
    }

    public static byte[] Base64(CanonicalNode value, string path, int bytes)
    {
        var text = String(value, path, ((bytes + 2) / 3 * 4) + 4);
        var buffer = new byte[bytes + 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written) || written != bytes)
        {
            throw new EnvelopeFormatException(RefusalReason.InvalidValue, $"{path} must be the base64 of {bytes} bytes");
        }

        return buffer[..bytes];
    }

    public static DateTimeOffset Timestamp(CanonicalNode value, string path)
    {
        var text = String(value, path, 40);
        if (!Timestamps.TryParse(text, out var time))
        {
            throw new EnvelopeFormatException(RefusalReason.InvalidValue, $"{path} must be an RFC 3339 time with an offset, e.g. 2026-01-31T12:00:00.000Z");
        }

        return time;
    }

    public static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static bool IsLowerHex(string text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    private static EnvelopeFormatException WrongType(string path, string expected, CanonicalNode actual) =>
        new(RefusalReason.WrongType, $"{path} must be {expected}, not {actual.Kind.ToString().ToLowerInvariant()}");
}
