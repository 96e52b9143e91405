using System.Buffers;
using System.Globalization;
using System.Text;

namespace QuantumEdge.Federation.Canonical;

/// <summary>
/// Writes the canonical form of a <see cref="CanonicalNode"/>, following RFC 8785 (JCS):
/// <list type="bullet">
/// <item>no whitespace; object members sorted by key in UTF-16 code-unit order; keys unique;</item>
/// <item>strings: '"' and '\' escaped, U+0008/09/0A/0C/0D as \b \t \n \f \r, other controls
/// below U+0020 as \u00xx (lower-case hex), everything else as literal UTF-8 (no \u escapes);</item>
/// <item>numbers: the ECMAScript Number-to-String form of the shortest round-trip double
/// (integers without fraction or exponent, -0 as 0, exponents as e+N / e-N);</item>
/// <item>literals true, false, null.</item>
/// </list>
/// The same parsed value always gives the same bytes, however a peer formatted it.
/// </summary>
internal static class CanonicalJsonWriter
{
    public static byte[] Write(CanonicalNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Write(node, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(CanonicalNode node, ArrayBufferWriter<byte> output)
    {
        switch (node.Kind)
        {
            case CanonicalKind.Object:
                Ascii(output, "{");
                for (var i = 0; i < node.Members.Count; i++)
                {
                    if (i > 0)
                    {
                        Ascii(output, ",");
                    }

                    WriteString(node.Members[i].Key, output);
                    Ascii(output, ":");
                    Write(node.Members[i].Value, output);
                }

                Ascii(output, "}");
                break;
            case CanonicalKind.Array:
                Ascii(output, "[");
                for (var i = 0; i < node.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        Ascii(output, ",");
                    }

                    Write(node.Items[i], output);
                }

                Ascii(output, "]");
                break;
            case CanonicalKind.String:
                WriteString(node.Text!, output);
                break;
            case CanonicalKind.Number:
                WriteNumber(node.Number, output);
                break;
            case CanonicalKind.True:
                Ascii(output, "true");
                break;
            case CanonicalKind.False:
                Ascii(output, "false");
                break;
            default:
                Ascii(output, "null");
                break;
        }
    }

    /// <summary>
    /// Fast path: .NET's shortest round-trip "R" text equals the ECMAScript form whenever it is in
    /// fixed notation (no exponent), which covers every integer below 1e15 and every value from
    /// 1e-5 up; only exponent forms need <see cref="FormatNumber"/>'s rewriting.
    /// </summary>
    private static void WriteNumber(double value, ArrayBufferWriter<byte> output)
    {
        Span<char> chars = stackalloc char[32];
        if (value != 0 && value.TryFormat(chars, out var written, "R", CultureInfo.InvariantCulture) && chars[..written].IndexOfAny('E', 'e') < 0)
        {
            var span = output.GetSpan(written);
            for (var i = 0; i < written; i++)
            {
                span[i] = (byte)chars[i];
            }

            output.Advance(written);
            return;
        }

        Ascii(output, FormatNumber(value));
    }

    /// <summary>ECMAScript Number.prototype.toString for a finite double (ECMA-262 §6.1.6.1.20).</summary>
    public static string FormatNumber(double value)
    {
        if (value == 0)
        {
            return "0";
        }

        // "R" is the shortest round-trip representation on .NET Core 3.0+; take its digits and exponent.
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        var body = negative ? r[1..] : r;
        var exponent = 0;
        var e = body.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            body = body[..e];
        }

        var point = body.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? body : body.Remove(point, 1);
        var pointPosition = (point < 0 ? body.Length : point) + exponent;
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..].TrimEnd('0');
        var n = pointPosition - leading;   // value = 0.digits × 10^n
        var k = digits.Length;
        var sb = new StringBuilder(32);
        if (negative)
        {
            sb.Append('-');
        }

        if (k <= n && n <= 21)
        {
            sb.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            sb.Append(digits[0]);
            if (k > 1)
            {
                sb.Append('.').Append(digits, 1, k - 1);
            }

            var exp = n - 1;
            sb.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static void WriteString(string text, ArrayBufferWriter<byte> output)
    {
        Ascii(output, "\"");
        var run = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var escape = c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\t' => "\\t",
                '\n' => "\\n",
                '\f' => "\\f",
                '\r' => "\\r",
                < (char)0x20 => "\\u00" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => null,
            };
            if (escape is null)
            {
                continue;
            }

            Utf8(output, text.AsSpan(run, i - run));
            Ascii(output, escape);
            run = i + 1;
        }

        Utf8(output, text.AsSpan(run));
        Ascii(output, "\"");
    }

    private static void Utf8(ArrayBufferWriter<byte> output, ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
        {
            return;
        }

        var written = Encoding.UTF8.GetBytes(chars, output.GetSpan(Encoding.UTF8.GetMaxByteCount(chars.Length)));
        output.Advance(written);
    }

    private static void Ascii(ArrayBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        output.Advance(text.Length);
    }
}
