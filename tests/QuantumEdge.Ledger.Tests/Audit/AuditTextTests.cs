using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;

namespace QuantumEdge.Ledger.Tests.Audit;

public sealed class AuditTextTests
{
    [Theory]
    [InlineData("routine check", "routine check")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("esc\u001b[2J", "esc%1B[2J")]
    [InlineData("rtl\u202eoverride", "rtl%u202Eoverride")]
    [InlineData("a;scope=none", "a%3Bscope%3Dnone")]
    [InlineData("100%", "100%25")]
    [InlineData("tag\U000E0041\U000E007Fend", "tag%uDB40%uDC41%uDB40%uDC7Fend")]
    [InlineData("unassigned\u0378", "unassigned%u0378")]
    [InlineData("zero\u200Bwidth", "zero%u200Bwidth")]
    [InlineData("musical\U0001D173format", "musical%uD834%uDD73format")]
    public void A_detail_value_escapes_what_could_forge_a_line_or_a_key(string value, string escaped) =>
        Assert.Equal(escaped, AuditText.DetailValue(value));

    [Fact]
    public void Half_of_a_surrogate_pair_is_escaped_as_the_unit_it_is()
    {
        // Built in code: an attribute's string cannot hold a lone surrogate (metadata stores it as UTF-8).
        Assert.Equal("lone%uD800high", AuditText.DetailValue("lone" + '\uD800' + "high"));
        Assert.Equal("lone%uDC00low", AuditText.Display("lone" + '\uDC00' + "low"));
        Assert.Equal("end%uD83D", AuditText.Display("end" + '\uD83D'));
        Assert.Equal("%uDC00%uD800", AuditText.Display(new string(['\uDC00', '\uD800'])));
    }

    [Theory]
    [InlineData("Station 3 (北院) 🏥 München")]
    [InlineData("🏥;=%")]
    [InlineData("")]
    public void Printable_text_in_any_script_is_kept_as_it_is(string value) =>
        Assert.Equal(value, AuditText.Display(value));

    [Fact]
    public void A_kept_pair_next_to_an_escaped_character_stays_whole() =>
        Assert.Equal("🏥%0A🏥%3B", AuditText.DetailValue("🏥\n🏥;"));

    [Fact]
    public void A_long_value_full_of_separators_and_tags_is_escaped_whole()
    {
        var value = string.Concat(Enumerable.Repeat(";\U000E0041", 50_000));

        var escaped = AuditText.DetailValue(value);

        Assert.Equal(string.Concat(Enumerable.Repeat("%3B%uDB40%uDC41", 50_000)), escaped);
    }

    [Fact]
    public void Display_escapes_line_breaks_and_terminal_controls_but_keeps_the_details_own_separators()
    {
        Assert.Equal("scope=all;reason=x%0A  #999", AuditText.Display("scope=all;reason=x\n  #999"));
        Assert.Equal("", AuditText.Display(null));
    }

    [Fact]
    public void An_admin_actors_reason_and_id_are_escaped_as_they_are_set()
    {
        var actor = new AdminActor { UserId = "ops\u0000", RequestId = "r", Reason = "done;x=1\r\n" };

        Assert.Equal("ops%00", actor.UserId);
        Assert.Equal("done%3Bx%3D1%0D%0A", actor.Reason);
    }
}
