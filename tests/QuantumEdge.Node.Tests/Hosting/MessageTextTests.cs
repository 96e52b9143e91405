using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Tests.Hosting;

public sealed class MessageTextTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("clinical-7b", "clinical-7b")]
    [InlineData("a\nb\tc\u0000d\u007f", "a?b?c?d?")]
    public void Short_text_is_kept_with_its_control_characters_shown_as_question_marks(string? text, string shown) =>
        Assert.Equal(shown, MessageText.Shorten(text));

    [Fact]
    public void Long_text_is_cut_at_the_limit_with_an_ellipsis()
    {
        Assert.Equal(new string('x', 40) + "…", MessageText.Shorten(new string('x', 10_000)));
        Assert.Equal(new string('x', 64) + "…", MessageText.Shorten(new string('x', 65), 64));
        Assert.Equal(new string('x', 64), MessageText.Shorten(new string('x', 64), 64));
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var shown = MessageText.Shorten(new string('a', 39) + "\U0001F600" + "tail");

        Assert.Equal(new string('a', 39) + "…", shown);
        Assert.Equal(new string('a', 38) + "\U0001F600" + "…", MessageText.Shorten(new string('a', 38) + "\U0001F600" + "tail"));
    }
}
