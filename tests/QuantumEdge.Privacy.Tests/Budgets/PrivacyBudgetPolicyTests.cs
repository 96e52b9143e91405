using QuantumEdge.Privacy.Accounting;

namespace QuantumEdge.Privacy.Tests.Budgets;

public sealed class PrivacyBudgetPolicyTests
{
    // The deployment guide's privacy block (the deployment guide).
    private static readonly Dictionary<string, double> SeedDepartments = new()
    {
        ["emergency"] = 20.0,
        ["icu"] = 15.0,
        ["surgery"] = 12.0,
        ["general"] = 8.0,
        ["research"] = 3.0,
    };

    private static PrivacyBudgetPolicy Policy(CompositionMethod method) =>
        new(new PrivacyPolicyOptions { Composition = method, DepartmentBudgets = SeedDepartments });

    [Theory]
    [InlineData(0.1, 1e-5)]
    [InlineData(0.5, 1e-6)]
    [InlineData(0.01, 1e-5)]
    [InlineData(2.0, 1e-3)]
    public void One_query_alone_costs_exactly_epsilon_per_query(double epsilon, double delta)
    {
        var policy = new PrivacyBudgetPolicy(new PrivacyPolicyOptions { EpsilonPerQuery = epsilon, Delta = delta });
        var sigma = policy.QueryNoiseMultiplier;

        Precision.Relative(epsilon, policy.Spent(new BudgetState(1, policy.QueryRdpRate, epsilon)), 1e-9);
        Precision.Relative(epsilon, policy.Spent(new BudgetState(1, 1 / (sigma * sigma), epsilon)), 1e-9);
        // The same number through the general accountant on the policy's orders.
        Precision.Relative(epsilon, RdpCurve.Gaussian(sigma, policy.Orders).ToDp(delta).Epsilon, 1e-9);
        // And a slightly noisier query is strictly cheaper, a slightly less noisy one dearer.
        Assert.True(RdpCurve.Gaussian(sigma * 1.001, policy.Orders).ToDp(delta).Epsilon < epsilon);
        Assert.True(RdpCurve.Gaussian(sigma * 0.999, policy.Orders).ToDp(delta).Epsilon > epsilon);
    }

    [Theory]
    [InlineData(1e-12, 1e-3)]
    [InlineData(0.1, 0.999999)]
    public void An_epsilon_that_cannot_be_calibrated_says_why_without_claiming_a_floor_of_zero(double epsilon, double delta)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PrivacyBudgetPolicy(new PrivacyPolicyOptions { EpsilonPerQuery = epsilon, Delta = delta }));
        Assert.Equal(nameof(PrivacyPolicyOptions.EpsilonPerQuery), e.ParamName);
        Assert.Contains("cannot be calibrated", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("at least 0 ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Basic_fits_thirty_queries_into_three_and_refuses_the_thirty_first()
    {
        var policy = Policy(CompositionMethod.Basic);
        var state = BudgetState.Empty;
        for (var i = 0; i < 30; i++)
        {
            var decision = policy.Evaluate(state, "research");
            Assert.True(decision.Admitted, $"query {i + 1} should fit");
            state = decision.After;
        }

        Assert.Equal(30, state.Queries);
        Assert.Equal(3.0, policy.Spent(state), 9);
        var refused = policy.Evaluate(state, "research");
        Assert.False(refused.Admitted);
        Assert.Equal(3.0, refused.Budget);
        Assert.Equal(0.1, refused.Requested, 12);
        Assert.Equal(0, refused.Remaining, 9);
        Assert.Equal(0, policy.AffordableQueries(state, "research"));
        Assert.Equal(30, policy.AffordableQueries(BudgetState.Empty, "research"));
    }

    [Fact]
    public void Rdp_admits_more_queries_than_basic_for_the_same_budget()
    {
        var basic = Policy(CompositionMethod.Basic);
        var rdp = Policy(CompositionMethod.Rdp);
        var admitted = Admitted(rdp, "research");

        Assert.Equal(30, Admitted(basic, "research"));
        Assert.True(admitted > 30, $"RDP admitted {admitted}");
        Assert.Equal(admitted, rdp.AffordableQueries(BudgetState.Empty, "research"));
    }

    [Fact]
    public void Rdp_spend_is_sublinear_and_increasing_in_queries()
    {
        var policy = Policy(CompositionMethod.Rdp);
        var previous = 0.0;
        for (var k = 1; k <= 200; k++)
        {
            var spent = policy.Spent(new BudgetState(k, k * policy.QueryRdpRate, k * 0.1));
            Assert.True(spent > previous, $"{k} queries");
            if (k > 1)
            {
                Assert.True(spent < k * 0.1, $"{k} queries cost {spent}");
            }

            previous = spent;
        }
    }

    [Fact]
    public void Decision_reports_the_charge()
    {
        var policy = Policy(CompositionMethod.Rdp);
        var state = new BudgetState(9, 9 * policy.QueryRdpRate, 0.9);
        var decision = policy.Evaluate(state, "ICU");

        Assert.True(decision.Admitted);
        Assert.Equal(15.0, decision.Budget);
        Assert.Equal(10, decision.After.Queries);
        Assert.Equal(1.0, decision.After.BasicEpsilon, 12);
        Assert.Equal(10 * policy.QueryRdpRate, decision.After.RdpRate, 12);
        Assert.Equal(policy.Spent(state), decision.SpentBefore);
        Assert.Equal(policy.Spent(decision.After), decision.SpentAfter);
        Assert.Equal(decision.SpentAfter - decision.SpentBefore, decision.Requested);
        Assert.True(decision.Requested is > 0 and < 0.1);
        Assert.Equal(15.0 - decision.SpentAfter, decision.Remaining, 12);
        Assert.Equal(0, policy.Spent(BudgetState.Empty));
    }

    [Fact]
    public void Department_budgets_are_case_insensitive_with_a_default()
    {
        var policy = Policy(CompositionMethod.Rdp);
        Assert.Equal(15.0, policy.BudgetFor("icu"));
        Assert.Equal(15.0, policy.BudgetFor("ICU"));
        Assert.Equal(20.0, policy.BudgetFor("Emergency"));
        Assert.Equal(10.0, policy.BudgetFor("cardiology"));
        Assert.Equal(10.0, policy.BudgetFor(null));

        var research = policy.Evaluate(BudgetState.Empty, "RESEARCH");
        Assert.Equal(3.0, research.Budget);
    }

    [Fact]
    public void A_budget_below_one_query_admits_nothing()
    {
        var policy = new PrivacyBudgetPolicy(new PrivacyPolicyOptions { DepartmentBudgets = new Dictionary<string, double> { ["tiny"] = 0.05 } });
        Assert.False(policy.Evaluate(BudgetState.Empty, "tiny").Admitted);
        Assert.Equal(0, policy.AffordableQueries(BudgetState.Empty, "tiny"));
    }

    [Fact]
    public void Options_are_validated()
    {
        static void Rejects(string name, PrivacyPolicyOptions options)
        {
            var error = Assert.ThrowsAny<ArgumentException>(() => new PrivacyBudgetPolicy(options));
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }

        Rejects("EpsilonPerQuery", new PrivacyPolicyOptions { EpsilonPerQuery = 0 });
        Rejects("EpsilonPerQuery", new PrivacyPolicyOptions { EpsilonPerQuery = double.NaN });
        Rejects("EpsilonPerQuery", new PrivacyPolicyOptions { EpsilonPerQuery = double.PositiveInfinity });
        Rejects("Delta", new PrivacyPolicyOptions { Delta = 0 });
        Rejects("Delta", new PrivacyPolicyOptions { Delta = 1 });
        Rejects("MaxBudgetPerUser", new PrivacyPolicyOptions { MaxBudgetPerUser = -1 });
        Rejects("MaxBudgetPerUser", new PrivacyPolicyOptions { MaxBudgetPerUser = double.PositiveInfinity });
        Rejects("Tolerance", new PrivacyPolicyOptions { Tolerance = double.NaN });
        Rejects("DepartmentBudgets[icu]", new PrivacyPolicyOptions { DepartmentBudgets = new Dictionary<string, double> { ["icu"] = 0 } });
        Rejects("two entries for department 'ICU'", new PrivacyPolicyOptions { DepartmentBudgets = new Dictionary<string, double> { ["icu"] = 1, ["ICU"] = 2 } });
        Assert.Throws<ArgumentNullException>(() => new PrivacyBudgetPolicy(null!));
    }

    [Fact]
    public void Spent_rejects_impossible_states()
    {
        var policy = Policy(CompositionMethod.Rdp);
        Assert.ThrowsAny<ArgumentException>(() => policy.Spent(new BudgetState(-1, 0, 0)));
        Assert.ThrowsAny<ArgumentException>(() => policy.Spent(new BudgetState(1, double.NaN, 0)));
        Assert.ThrowsAny<ArgumentException>(() => Policy(CompositionMethod.Basic).Spent(new BudgetState(1, 0, -0.1)));
    }

    private static int Admitted(PrivacyBudgetPolicy policy, string department)
    {
        var state = BudgetState.Empty;
        var count = 0;
        while (true)
        {
            var decision = policy.Evaluate(state, department);
            if (!decision.Admitted)
            {
                return count;
            }

            state = decision.After;
            count++;
        }
    }
}
