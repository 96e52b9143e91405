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
    public void A_detail_value_escapes_what_could_forge_a_line_or_a_key(string value, string escaped) =>
        Assert.Equal(escaped, AuditText.DetailValue(value));

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
