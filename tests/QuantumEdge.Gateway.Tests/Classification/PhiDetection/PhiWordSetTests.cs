using QuantumEdge.Gateway.Classification.PhiDetection;

namespace QuantumEdge.Gateway.Tests.Classification.PhiDetection;

/// <summary>
/// The word set's prefix bits only skip comparisons: at every position of texts built from its
/// own words (cut, case-changed, followed by letters, punctuation or non-ASCII characters that
/// fold to ASCII letters), it answers exactly as comparing every word does.
/// </summary>
public sealed class PhiWordSetTests
{
    private static readonly string[] Words =
        ["mrn", "m.r.n", "mr", "pt", "re:", "re :", "ss #", "b.", "d/c", "dc'd", "v", "next of kin", "patient", "date of birth", "icd-10", "sn#", "s/n"];

    private static readonly string[] Fillers = ["", " ", ".", ":", "#", "-", "/", "'", "s", "x", "ı", "ſ", "\u212A", "é", "1", "\u00A0"];

    [Fact]
    public void Answers_as_comparing_every_word_at_every_position()
    {
        var set = new PhiWordSet(Words);
        var random = new Random(7);
        var checkedPositions = 0;
        var found = 0;
        for (var round = 0; round < 4000; round++)
        {
            var text = Text(random);
            for (var at = 0; at < text.Length; at++)
            {
                var startsAt = set.StartsAt(text, at);
                Assert.Equal(Reference(text, at, wholeWord: false), startsAt);
                found += startsAt ? 1 : 0;
                checkedPositions++;
            }

            Assert.Equal(WholeWordReference(text), set.ContainsWord(text));
        }

        Assert.True(found > 1000, $"only {found} of {checkedPositions} positions start a word: the texts do not exercise the set");
    }

    private static string Text(Random random)
    {
        var parts = new List<string>();
        for (var i = random.Next(1, 5); i > 0; i--)
        {
            var word = Words[random.Next(Words.Length)];
            // A prefix of the word, or the word with its case changed and something after it.
            word = random.Next(4) == 0 ? word[..random.Next(1, word.Length + 1)] : word;
            word = new string([.. word.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : c)]);
            parts.Add(Fillers[random.Next(Fillers.Length)] + word + Fillers[random.Next(Fillers.Length)]);
        }

        return string.Concat(parts);
    }

    private static bool Reference(string text, int at, bool wholeWord)
    {
        var c = text[at];
        if (c < 0x80 && !char.IsAsciiLetter(c))
        {
            return false;
        }

        var rest = text.AsSpan(at);
        foreach (var word in Words)
        {
            if (rest.StartsWith(word, StringComparison.OrdinalIgnoreCase)
                && (!wholeWord || word.Length == rest.Length || !char.IsAsciiLetter(rest[word.Length])))
            {
                return true;
            }
        }

        return false;
    }

    private static bool WholeWordReference(string text)
    {
        for (var at = 0; at < text.Length; at++)
        {
            if ((at == 0 || !char.IsAsciiLetter(text[at - 1])) && Reference(text, at, wholeWord: true))
            {
                return true;
            }
        }

        return false;
    }
}
