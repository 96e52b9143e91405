using System.Text;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.Tests.Audit;

public sealed class UnsafeCharactersTests
{
    [Theory]
    [InlineData("plain ASCII", -1, 0, 0)]
    [InlineData("Klinikum München 北院 🏥", -1, 0, 0)]
    [InlineData("a\nb", 1, 1, 0x0A)]
    [InlineData("ab\u202E", 2, 1, 0x202E)]
    [InlineData("🏥x\U000E0041", 3, 2, 0xE0041)]
    [InlineData("\u0378", 0, 1, 0x0378)]
    [InlineData("x\u2029", 1, 1, 0x2029)]
    public void The_first_unsafe_character_is_found_by_code_point(string text, int index, int length, int codePoint) =>
        Assert.Equal((index, length, codePoint), UnsafeCharacters.Find(text));

    [Fact]
    public void A_lone_surrogate_is_unsafe_and_a_search_can_start_past_the_first_find()
    {
        var text = "ok" + '\uDC00' + "\u0007";

        Assert.Equal((2, 1, 0xDC00), UnsafeCharacters.Find(text));
        Assert.Equal((3, 1, 7), UnsafeCharacters.Find(text, 3));
        Assert.Equal((-1, 0, 0), UnsafeCharacters.Find(text, 4));
    }

    [Fact]
    public void Emoji_letters_and_punctuation_are_safe_and_tags_are_not()
    {
        Assert.False(UnsafeCharacters.IsUnsafe(new Rune(0x1F3E5)));
        Assert.False(UnsafeCharacters.IsUnsafe(new Rune('é')));
        Assert.True(UnsafeCharacters.IsUnsafe(new Rune(0xE0041)));
        Assert.True(UnsafeCharacters.IsUnsafe(new Rune(0x200B)));
    }
}
