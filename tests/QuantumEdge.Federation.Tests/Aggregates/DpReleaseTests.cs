using System.Text;
using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Payloads;
using Xunit.Abstractions;

namespace QuantumEdge.Federation.Tests.Aggregates;

public sealed class DpReleaseTests(ITestOutputHelper output)
{
    private static DpReleaseOptions Options(double epsilon = 0.5, double perDay = 10, int clip = 8, int k = 5) => new()
    {
        EpsilonPerRelease = epsilon,
        MaxEpsilonPerDay = perDay,
        MaxRequestsPerUser = clip,
        MaxFeedbackPerUser = clip,
        MinUsersPerCell = k,
        Models = ["llama-3.1-8b", "mistral-7b"],
        Categories = ["summarization", "coding", "qa"],
    };

    private static (DpReleaser Releaser, ObservationWindow Window) Releaser(TempDirectory dir, DpReleaseOptions options, IGaussianNoise noise)
    {
        var window = new ObservationWindow(options, Samples.Now.AddMinutes(-1));
        return (new DpReleaser(options, window, FederationBudget.Open(dir.Path, options), noise), window);
    }

    [Fact]
    public void The_noise_multiplier_is_the_smallest_the_accountant_accepts_for_the_release_epsilon()
    {
        foreach (var (epsilon, delta) in new[] { (0.5, 1e-6), (1.0, 1e-5), (0.1, 1e-7), (4.0, 1e-6) })
        {
            var z = NoiseCalibration.NoiseMultiplier(epsilon, delta);
            Assert.True(NoiseCalibration.EpsilonOf(z, delta) <= epsilon);
            Assert.True(NoiseCalibration.EpsilonOf(z * 0.999, delta) > epsilon);
            // Never more than the classical Gaussian mechanism's sqrt(2 ln(1.25/δ))/ε (valid for ε < 1), which RDP improves on.
            Assert.True(epsilon >= 1 || z < Math.Sqrt(2 * Math.Log(1.25 / delta)) / epsilon, $"z={z}");
            output.WriteLine($"eps={epsilon} delta={delta}: z={z:F4}");
        }
    }

    [Fact]
    public void The_sensitivity_bounds_one_users_whole_contribution()
    {
        Assert.Equal(20, Options(clip: 8).L2Sensitivity, 9);
        // Worst case by brute force for C = F = 2: every way to place 2 requests and 2 feedbacks in 2 cells.
        var options = new DpReleaseOptions { MaxRequestsPerUser = 2, MaxFeedbackPerUser = 2, Models = ["m"], Categories = ["a", "b"] };
        var worst = 0.0;
        foreach (var placement in Enumerable.Range(0, 16))
        {
            var window = new ObservationWindow(options, Samples.Now);
            for (var r = 0; r < 2; r++)
            {
                window.RecordRequest("u", "m", (placement >> r & 1) == 0 ? "a" : "b", RequestOutcome.Error, 10, 10);
            }

            for (var fb = 0; fb < 2; fb++)
            {
                window.RecordFeedback("u", "m", (placement >> (2 + fb) & 1) == 0 ? "a" : "b", -1);
            }

            worst = Math.Max(worst, Math.Sqrt(window.Peek().Sum(c => c.Sum(v => v * v))));
        }

        Assert.True(worst <= options.L2Sensitivity, $"{worst} > {options.L2Sensitivity}");
    }

    [Fact]
    public void Each_users_contribution_is_clipped_and_values_are_bounded()
    {
        using var dir = new TempDirectory();
        var (releaser, window) = Releaser(dir, Options(clip: 8, k: 1), new ZeroNoise());
        for (var i = 0; i < 100; i++)
        {
            window.RecordRequest("heavy-user", "llama-3.1-8b", "qa", RequestOutcome.Ok, 120, 900);
        }

        window.RecordRequest("light-user", "llama-3.1-8b", "qa", RequestOutcome.Timeout, null, 70_000);
        for (var i = 0; i < 20; i++)
        {
            window.RecordFeedback("heavy-user", "llama-3.1-8b", "qa", 5);
        }

        Assert.False(window.RecordRequest("light-user", "gpt-unknown", "qa", RequestOutcome.Ok, 1, 1));
        Assert.False(window.RecordRequest("light-user", "llama-3.1-8b", "free text about a patient", RequestOutcome.Ok, 1, 1));
        Assert.Equal(92 + 12 + 2, window.Dropped);

        var cell = Assert.Single(releaser.TryRelease(Samples.Now).Release!.Cells);
        Assert.Equal(2, cell.Users);
        Assert.Equal(9, cell.Requests);
        Assert.Equal(1, cell.Timeouts);
        Assert.Equal(8, cell.FeedbackSum);
        Assert.Equal(8, cell.FeedbackCount);
        Assert.Equal(8, cell.TtftHistogram[HistogramEdges.Bucket(HistogramEdges.TtftMs, 120)]);
        Assert.Equal(1, cell.TotalHistogram[^1]);
    }

    [Fact]
    public void Cells_with_fewer_than_k_users_are_left_out()
    {
        using var dir = new TempDirectory();
        var (releaser, window) = Releaser(dir, Options(k: 5), new ZeroNoise());
        for (var u = 0; u < 4; u++)
        {
            window.RecordRequest($"u{u}", "mistral-7b", "coding", RequestOutcome.Ok, 100, 200);
        }

        for (var u = 0; u < 5; u++)
        {
            window.RecordRequest($"u{u}", "llama-3.1-8b", "summarization", RequestOutcome.Ok, 100, 200);
        }

        var release = releaser.TryRelease(Samples.Now).Release!;
        var cell = Assert.Single(release.Cells);
        Assert.Equal(("llama-3.1-8b", "summarization"), (cell.Model, cell.Category));
    }

    [Fact]
    public void A_published_release_holds_no_user_key_and_only_vocabulary_labels()
    {
        using var dir = new TempDirectory();
        var (releaser, window) = Releaser(dir, Options(k: 1), new SeededGaussianNoise(1));
        for (var u = 0; u < 30; u++)
        {
            window.RecordRequest($"dr-secret-{u}", "llama-3.1-8b", "qa", RequestOutcome.Ok, 100, 200);
        }

        using var key = Samples.Key(1);
        var envelope = EnvelopeCodec.Create(key, "hospital-a", Samples.FederationId, 1, 1, EnvelopeCodec.GenesisHash,
            Samples.Now, new FederationPayload(null, releaser.TryRelease(Samples.Now).Release, null));
        var json = Encoding.UTF8.GetString(envelope.CanonicalBytes);
        Assert.DoesNotContain("dr-secret", json, StringComparison.Ordinal);
        Assert.Contains("\"noise_sigma\":", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Released_values_spread_as_the_calibrated_sigma_says_chi_square_bound()
    {
        // Small σ relative to the counts, so no cell is ever suppressed (suppression would bias the sample).
        var options = new DpReleaseOptions
        {
            EpsilonPerRelease = 2, MaxEpsilonPerDay = 1e9, MaxRequestsPerUser = 2, MaxFeedbackPerUser = 2, MinUsersPerCell = 1,
            Models = ["m"], Categories = ["c"],
        };
        using var dir = new TempDirectory(inMemory: true);
        var noise = new SeededGaussianNoise(20261129);
        var (releaser, window) = Releaser(dir, options, noise);
        const int Releases = 2000;
        var samples = new List<double[]>();
        double[]? truth = null;
        for (var r = 0; r < Releases; r++)
        {
            for (var u = 0; u < 150; u++)
            {
                window.RecordRequest($"u{u}", "m", "c", u % 10 == 0 ? RequestOutcome.Error : RequestOutcome.Ok, 90 + u, 400 + (10 * u));
                window.RecordRequest($"u{u}", "m", "c", RequestOutcome.Ok, 300, 2500);
                window.RecordFeedback($"u{u}", "m", "c", (u % 3) - 1);
            }

            truth ??= window.Peek()[0];
            var cell = Assert.Single(releaser.TryRelease(Samples.Now).Release!.Cells);
            samples.Add([cell.Users, cell.Requests, cell.Errors, cell.Timeouts, cell.FeedbackSum, cell.FeedbackCount, .. cell.TtftHistogram, .. cell.TotalHistogram]);
        }

        var sigma = releaser.Sigma;
        Assert.Equal(NoiseCalibration.NoiseMultiplier(2, 1e-6) * options.L2Sensitivity, sigma, 9);
        var coordinates = truth!.Length;
        var pooled = 0.0;
        for (var j = 0; j < coordinates; j++)
        {
            var values = samples.Select(s => s[j]).ToArray();
            var mean = values.Average();
            var variance = values.Sum(v => (v - mean) * (v - mean)) / (Releases - 1);
            pooled += variance;
            // Each coordinate: (n−1)s²/σ² ~ χ²(n−1); the bounds hold with probability 1 − 1e-6.
            var (lo, hi) = ChiSquareBounds(Releases - 1);
            Assert.InRange(variance / (sigma * sigma), lo, hi);
            Assert.InRange(mean - truth[j], -4.9 * sigma / Math.Sqrt(Releases), 4.9 * sigma / Math.Sqrt(Releases));
        }

        // All coordinates together (independent noise): a much tighter bound.
        var (plo, phi) = ChiSquareBounds(coordinates * (Releases - 1));
        var ratio = pooled / coordinates / (sigma * sigma);
        Assert.InRange(ratio, plo, phi);
        output.WriteLine($"sigma={sigma:F4}; pooled sample variance / sigma^2 = {ratio:F4} (bound [{plo:F4}, {phi:F4}], {coordinates} coordinates x {Releases} releases)");
    }

    /// <summary>χ²(k)/k quantiles at 1e-6 and 1 − 1e-6 by Wilson–Hilferty (z = 4.753).</summary>
    private static (double Lo, double Hi) ChiSquareBounds(int k)
    {
        const double Z = 4.753;
        double Q(double z) => Math.Pow(1 - (2.0 / (9 * k)) + (z * Math.Sqrt(2.0 / (9 * k))), 3);
        return (Q(-Z), Q(Z));
    }

    [Fact]
    public void Releases_stop_when_the_days_budget_is_spent_and_the_status_says_so_across_restarts()
    {
        using var dir = new TempDirectory();
        var options = Options(epsilon: 0.5, perDay: 2);
        var (releaser, window) = Releaser(dir, options, new SeededGaussianNoise(3));
        var released = 0;
        while (releaser.TryRelease(Samples.Now).Released)
        {
            released++;
            Assert.True(released < 1000);
        }

        var status = releaser.Budget(Samples.Now);
        Assert.True(status.Exhausted);
        Assert.Equal(released, status.Releases);
        Assert.InRange(status.EpsilonSpent, 0.5, 2);
        // RDP composition buys more releases than adding ε (which would allow 4).
        Assert.True(released > 4, $"{released} releases");
        output.WriteLine($"eps 0.5/release, 2/day: {released} releases, {status.EpsilonSpent:F3} spent");

        // Observations made while the budget is spent are kept for later, not silently released.
        window.RecordRequest("u", "mistral-7b", "qa", RequestOutcome.Ok, 1, 1);
        var refused = releaser.TryRelease(Samples.Now);
        Assert.False(refused.Released);
        Assert.True(refused.Budget.Exhausted);
        Assert.Equal(1, window.Peek().Sum(c => c[1]));

        // A restart does not refill the budget; the next UTC day does.
        var reopened = new DpReleaser(options, window, FederationBudget.Open(dir.Path, options), new ZeroNoise());
        Assert.False(reopened.TryRelease(Samples.Now.AddHours(1)).Released);
        var tomorrow = reopened.TryRelease(Samples.Now.AddDays(1));
        Assert.True(tomorrow.Released);
        Assert.Equal(1, tomorrow.Budget.Releases);
        Assert.Equal(NoiseCalibration.EpsilonOf(NoiseCalibration.NoiseMultiplier(0.5, 1e-6), 1e-6), tomorrow.Budget.EpsilonSpent, 9);
    }

    [Fact]
    public void Bad_settings_are_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ObservationWindow(Options() with { MaxEpsilonPerDay = 0.1 }, Samples.Now));
        Assert.Contains("max_epsilon_per_day", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => new ObservationWindow(Options() with { Models = ["has space"] }, Samples.Now));
        Assert.Contains("has space", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_budget_file_is_a_named_error()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, FederationBudget.FileName), "{\"day\":\"2026-11-29\",\"releases\":3,\"inverse_square_sum\":0}");
        var ex = Assert.Throws<QuantumEdge.Federation.State.FederationStateException>(() => FederationBudget.Open(dir.Path, Options()));
        Assert.Contains(FederationBudget.FileName, ex.Message, StringComparison.Ordinal);
    }
}
