using System.Buffers;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// The prompt's text gathered from a request's fields into one pooled buffer sized from the body
/// (a JSON string never decodes to more characters than it has bytes), so that measuring a
/// request allocates no builder and no string: only the UTF-8 copy the audit's hash keeps.
/// </summary>
internal sealed class PromptTextBuffer(int expectedLength) : IDisposable
{
    private char[] _chars = ArrayPool<char>.Shared.Rent(Math.Max(16, expectedLength));

    public int Length { get; private set; }

    public ReadOnlySpan<char> Text => _chars.AsSpan(0, Length);

    public void Append(ReadOnlySpan<char> text)
    {
        if (Length + text.Length > _chars.Length)
        {
            var bigger = ArrayPool<char>.Shared.Rent(Math.Max(Length + text.Length, _chars.Length * 2));
            _chars.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<char>.Shared.Return(_chars);
            _chars = bigger;
        }

        text.CopyTo(_chars.AsSpan(Length));
        Length += text.Length;
    }

    public void Append(char c) => Append([c]);

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_chars);
        _chars = [];
        Length = 0;
    }
}
