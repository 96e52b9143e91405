using System.Text;
using QuantumEdge.Gateway.Memory;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// The prompt's text gathered from a request's fields into one pooled buffer sized from the body
/// (a JSON string never decodes to more characters than it has bytes), so that measuring a
/// request allocates no builder and no string: only the UTF-8 copy the audit's hash keeps.
/// </summary>
internal sealed class PromptTextBuffer(int expectedLength) : IDisposable
{
    private char[] _chars = SmallArrayPool<char>.Rent(Math.Max(16, expectedLength));

    public int Length { get; private set; }

    public ReadOnlySpan<char> Text => _chars.AsSpan(0, Length);

    public void Append(ReadOnlySpan<char> text)
    {
        Reserve(text.Length);
        text.CopyTo(_chars.AsSpan(Length));
        Length += text.Length;
    }

    /// <summary>Appends valid UTF-8 text, decoded straight into the buffer (UTF-8 never decodes to more chars than bytes).</summary>
    public void AppendUtf8(ReadOnlySpan<byte> utf8)
    {
        Reserve(utf8.Length);
        Length += Encoding.UTF8.GetChars(utf8, _chars.AsSpan(Length));
    }

    public void Append(char c) => Append([c]);

    private void Reserve(int more)
    {
        if (Length + more > _chars.Length)
        {
            var bigger = SmallArrayPool<char>.Rent(Math.Max(Length + more, _chars.Length * 2));
            _chars.AsSpan(0, Length).CopyTo(bigger);
            SmallArrayPool<char>.Return(_chars);
            _chars = bigger;
        }
    }

    public void Dispose()
    {
        SmallArrayPool<char>.Return(_chars);
        _chars = [];
        Length = 0;
    }
}
