using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

public sealed class RequestRecordTests
{
    [Theory]
    [InlineData("admitted", 200, "completed")]
    [InlineData("admitted", 204, "completed")]
    [InlineData("admitted", 302, "failed")]
    [InlineData("admitted", 400, "failed")]
    [InlineData("admitted", 499, "failed")]
    [InlineData("admitted", 503, "failed")]
    [InlineData("admitted", 504, "failed")]
    [InlineData("refused:budget_exhausted", 429, "refused:budget_exhausted")]
    [InlineData("failed:idle_timeout", 200, "failed:idle_timeout")]
    public void The_outcome_decision_is_the_refusal_or_failure_else_completed_only_for_a_2xx_answer(string decision, int status, string outcome)
    {
        var record = new RequestRecord { RequestId = "r1", Route = InferenceRoute.ChatCompletions, Decision = decision, Status = status };
        Assert.Equal(outcome, record.OutcomeDecision);
    }
}
