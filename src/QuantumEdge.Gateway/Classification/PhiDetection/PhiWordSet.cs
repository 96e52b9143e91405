namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// A set of lower-case ASCII words (context words, labels) found at word starts, compared as
/// <see cref="StringComparison.OrdinalIgnoreCase"/>. Words are bucketed by their first two
/// letters, so a position costs a table look-up and rarely a comparison: searching each word of a
/// set through a window or a whole text, as a loop of IndexOf calls or a multi-string search,
/// cost more than the patterns themselves.
/// </summary>
internal sealed class PhiWordSet
{
    private const int Other = 26;

    /// <summary>Words by (first letter, second letter or <see cref="Other"/>); words of one letter by first letter at index 27 × 27 + letter.</summary>
    private readonly string[]?[] _buckets = new string[]?[(27 * 27) + 26];
    private readonly string[] _all;

    internal PhiWordSet(IEnumerable<string> words)
    {
        _all = [.. words];
        var lists = new List<string>?[_buckets.Length];
        foreach (var word in _all)
        {
            if (word.Length == 0 || !char.IsAsciiLetterLower(word[0]) || word.Any(c => c > '\u007F' || char.IsAsciiLetterUpper(c)))
            {
                throw new ArgumentException($"'{word}' is not a lower-case ASCII word starting with a letter", nameof(words));
            }

            var key = word.Length == 1 ? (27 * 27) + (word[0] - 'a') : Key(word[0], word[1]);
            (lists[key] ??= []).Add(word);
        }

        for (var i = 0; i < lists.Length; i++)
        {
            _buckets[i] = lists[i]?.ToArray();
        }
    }

    /// <summary>Whether a word of the set starts at <paramref name="at"/> (a prefix of a longer word counts); the caller checks that a word starts there.</summary>
    internal bool StartsAt(ReadOnlySpan<char> text, int at) => MatchAt(text, at, wholeWord: false);

    /// <summary>Whether any word of the set appears as a whole word (no ASCII letter either side) in <paramref name="window"/>.</summary>
    internal bool ContainsWord(ReadOnlySpan<char> window)
    {
        for (var at = 0; at < window.Length; at++)
        {
            if ((at == 0 || !char.IsAsciiLetter(window[at - 1])) && MatchAt(window, at, wholeWord: true))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Index of the next position at or after <paramref name="from"/> that follows no ASCII letter and starts a word of the set; -1 when none.</summary>
    internal int NextWordStart(ReadOnlySpan<char> text, int from)
    {
        for (var at = from; at < text.Length; at++)
        {
            if ((at == 0 || !char.IsAsciiLetter(text[at - 1])) && MatchAt(text, at, wholeWord: false))
            {
                return at;
            }
        }

        return -1;
    }

    private bool MatchAt(ReadOnlySpan<char> text, int at, bool wholeWord)
    {
        var c0 = text[at];
        if (c0 < 0x80 && !char.IsAsciiLetter(c0))
        {
            return false;
        }

        // Outside ASCII, ordinal case folding can still equal an ASCII letter (ı, ſ): compare every word.
        if (c0 > '\u007F' || (at + 1 < text.Length && text[at + 1] > '\u007F'))
        {
            return Any(_all, text, at, wholeWord);
        }

        var first = (c0 | 0x20) - 'a';
        if (_buckets[(27 * 27) + first] is { } single && Any(single, text, at, wholeWord))
        {
            return true;
        }

        return at + 1 < text.Length && _buckets[Key(c0, text[at + 1])] is { } bucket && Any(bucket, text, at, wholeWord);
    }

    private static bool Any(string[] words, ReadOnlySpan<char> text, int at, bool wholeWord)
    {
        var rest = text[at..];
        foreach (var word in words)
        {
            if (rest.StartsWith(word, StringComparison.OrdinalIgnoreCase)
                && (!wholeWord || word.Length == rest.Length || !char.IsAsciiLetter(rest[word.Length])))
            {
                return true;
            }
        }

        return false;
    }

    private static int Key(char first, char second) =>
        (((first | 0x20) - 'a') * 27) + (char.IsAsciiLetter(second) ? (second | 0x20) - 'a' : Other);
}
