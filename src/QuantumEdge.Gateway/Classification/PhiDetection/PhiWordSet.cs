using System.Runtime.CompilerServices;

namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// A set of lower-case ASCII words (context words, labels) found at word starts, compared as
/// <see cref="StringComparison.OrdinalIgnoreCase"/>. Words are bucketed by their first two
/// letters, so a position costs a table look-up and rarely a comparison: searching each word of a
/// set through a window or a whole text, as a loop of IndexOf calls or a multi-string search,
/// cost more than the patterns themselves. Before the buckets, one bit per first three
/// characters says whether any word can start so: clinical prose is full of words that share
/// two letters with a label ("in", "re", "co", "pa") and few that share three, and the bit test
/// is cheaper than the comparisons it saves.
/// </summary>
internal sealed class PhiWordSet
{
    private const int Other = 26;

    /// <summary>Words by (first letter, second letter or <see cref="Other"/>); words of one letter by first letter at index 27 × 27 + letter.</summary>
    private readonly string[]?[] _buckets = new string[]?[(27 * 27) + 26];
    private readonly string[] _all;

    /// <summary>One bit per (first letter, second, third) with the slot of <see cref="Other"/> for a character that is not an ASCII letter: set when a word of the set can start with those three characters.</summary>
    private readonly ulong[] _prefixes = new ulong[((26 * 27 * 27) + 63) / 64];

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
            MarkPrefix(word);
        }

        for (var i = 0; i < lists.Length; i++)
        {
            _buckets[i] = lists[i]?.ToArray();
        }
    }

    /// <summary>The words of the set.</summary>
    internal IReadOnlyList<string> Words => _all;

    /// <summary>Whether a word of the set starts at <paramref name="at"/> (a prefix of a longer word counts); the caller checks that a word starts there.</summary>
    internal bool StartsAt(ReadOnlySpan<char> text, int at) => MatchAt(text, at, wholeWord: false);

    /// <summary>Whether any word of the set appears as a whole word (no ASCII letter either side) in <paramref name="window"/>.</summary>
    internal bool ContainsWord(ReadOnlySpan<char> window) => NextStart(window, 0, wholeWord: true) >= 0;

    /// <summary>Index of the next position at or after <paramref name="from"/> that follows no ASCII letter and starts a word of the set; -1 when none.</summary>
    internal int NextWordStart(ReadOnlySpan<char> text, int from) => NextStart(text, from, wholeWord: false);

    /// <summary>
    /// The first position at or after <paramref name="from"/> that follows no ASCII letter and
    /// where <see cref="MatchAt"/> holds. A word of the set starts with a letter, so only word
    /// starts and non-ASCII characters are tried, and an ASCII word start only when its prefix
    /// bit is set; the rest of an ASCII word is passed over.
    /// </summary>
    private int NextStart(ReadOnlySpan<char> text, int from, bool wholeWord)
    {
        var at = from;
        while (at < text.Length)
        {
            var c = text[at];
            if (c > '\u007F')
            {
                if ((at == 0 || !char.IsAsciiLetter(text[at - 1])) && MatchAt(text, at, wholeWord))
                {
                    return at;
                }

                at++;
                continue;
            }

            if (!char.IsAsciiLetter(c))
            {
                at++;
                continue;
            }

            if ((at == 0 || !char.IsAsciiLetter(text[at - 1])) && MayStartAt(text, at) && MatchAt(text, at, wholeWord))
            {
                return at;
            }

            // The rest of the word follows a letter: no word of the set starts there.
            at++;
            while (at < text.Length && char.IsAsciiLetter(text[at]))
            {
                at++;
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

        if (!MayStartAt(text, at))
        {
            return false;
        }

        var first = (c0 | 0x20) - 'a';
        if (_buckets[(27 * 27) + first] is { } single && Any(single, text, at, wholeWord))
        {
            return true;
        }

        return at + 1 < text.Length && _buckets[Key(c0, text[at + 1])] is { } bucket && Any(bucket, text, at, wholeWord);
    }

    /// <summary>
    /// False only when no word of the set starts at text[at] (an ASCII letter, followed by an ASCII
    /// character or the end): the prefix bit of its first three characters is clear. Ignoring case,
    /// an ASCII letter equals only a letter and any other ASCII character only itself, so no word
    /// whose prefix bit is clear can match; near the end of the text, or before a non-ASCII second
    /// or third character, the answer is yes and the comparisons decide.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool MayStartAt(ReadOnlySpan<char> text, int at)
    {
        if (at + 2 >= text.Length || text[at + 1] > '\u007F' || text[at + 2] > '\u007F')
        {
            return true;
        }

        var key = PrefixKey((text[at] | 0x20) - 'a', Slot(text[at + 1]), Slot(text[at + 2]));
        return (_prefixes[key >> 6] & (1UL << key)) != 0;
    }

    private void MarkPrefix(string word)
    {
        for (var second = 0; second < 27; second++)
        {
            for (var third = 0; third < 27; third++)
            {
                if ((word.Length < 2 || second == Slot(word[1])) && (word.Length < 3 || third == Slot(word[2])))
                {
                    var key = PrefixKey(word[0] - 'a', second, third);
                    _prefixes[key >> 6] |= 1UL << key;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PrefixKey(int first, int second, int third) => (((first * 27) + second) * 27) + third;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(char c) => char.IsAsciiLetter(c) ? (c | 0x20) - 'a' : Other;

    private static bool Any(string[] words, ReadOnlySpan<char> text, int at, bool wholeWord)
    {
        var rest = text[at..];
        foreach (var word in words)
        {
            if (StartsWithIgnoringCase(rest, word)
                && (!wholeWord || word.Length == rest.Length || !char.IsAsciiLetter(rest[word.Length])))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <see cref="MemoryExtensions.StartsWith(ReadOnlySpan{char}, ReadOnlySpan{char}, StringComparison)"/> with
    /// <see cref="StringComparison.OrdinalIgnoreCase"/> for a lower-case ASCII word, compared here while the text is
    /// ASCII (an ASCII c | 0x20 equals a lower-case letter only when c is that letter in either case).
    /// </summary>
    private static bool StartsWithIgnoringCase(ReadOnlySpan<char> text, string word)
    {
        if (text.Length < word.Length)
        {
            return false;
        }

        for (var i = 0; i < word.Length; i++)
        {
            var c = text[i];
            var w = word[i];
            if (c > '\u007F')
            {
                // Ordinal case folding can make a non-ASCII character equal an ASCII letter (ı, ſ, K).
                return text.StartsWith(word, StringComparison.OrdinalIgnoreCase);
            }

            if (c != w && ((c | 0x20) != w || !char.IsAsciiLetterLower(w)))
            {
                return false;
            }
        }

        return true;
    }

    private static int Key(char first, char second) => (((first | 0x20) - 'a') * 27) + Slot(second);
}
