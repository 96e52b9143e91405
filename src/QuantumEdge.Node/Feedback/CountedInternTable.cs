namespace QuantumEdge.Node.Feedback;

/// <summary>
/// Strings held by number, each once however many holders share it, and forgotten when the last
/// holder releases it: the <see cref="CompletionBook"/> keeps a user and a model per completion as
/// two integers, so its completions hold no references the garbage collector has to trace.
/// Not thread-safe; the book calls it under its lock.
/// </summary>
internal sealed class CountedInternTable
{
    private readonly Dictionary<string, int> _numbers = new(StringComparer.Ordinal);
    private readonly Stack<int> _free = new();
    private string?[] _values = new string?[16];
    private int[] _holders = new int[16];
    private int _used;

    /// <summary>How many distinct strings are held.</summary>
    public int Count => _numbers.Count;

    /// <summary>The string held under <paramref name="number"/>.</summary>
    public string this[int number] => _values[number]!;

    /// <summary>Holds <paramref name="value"/> once more and returns its number.</summary>
    public int Acquire(string value)
    {
        if (_numbers.TryGetValue(value, out var number))
        {
            _holders[number]++;
            return number;
        }

        number = _free.Count > 0 ? _free.Pop() : NextNumber();
        _values[number] = value;
        _holders[number] = 1;
        _numbers.Add(value, number);
        return number;
    }

    /// <summary>Lets go of one hold on <paramref name="number"/>; the last one forgets the string and frees the number.</summary>
    public void Release(int number)
    {
        if (--_holders[number] > 0)
        {
            return;
        }

        _numbers.Remove(_values[number]!);
        _values[number] = null;
        _free.Push(number);
    }

    private int NextNumber()
    {
        if (_used == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
            Array.Resize(ref _holders, _holders.Length * 2);
        }

        return _used++;
    }
}
