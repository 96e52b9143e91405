using System.Globalization;
using System.Text.Json;
using QuantumEdge.Planning.Instances;

namespace QuantumEdge.Node.Tests.Cli;

/// <summary><c>quantumedge plan solve</c> run as a child process: its JSON, its objective, its refusals.</summary>
public sealed class PlanCommandTests
{
    private static string GsetFile(string name)
    {
        // tests/data/gset is copied beside the test binaries by the project file.
        var path = Path.Combine(AppContext.BaseDirectory, "gset", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; the test project copies tests/data/gset there");
    }

    private static double BestKnown(string instance)
    {
        var line = File.ReadLines(GsetFile("best-known.csv")).Single(l => l.StartsWith(instance + ",", StringComparison.Ordinal));
        return double.Parse(line.Split(',')[2], CultureInfo.InvariantCulture);
    }

    private static byte[] Solution(JsonElement root) => [.. root.GetProperty("solution").EnumerateArray().Select(e => (byte)e.GetInt32())];

    [Fact]
    public async Task Solves_G1_to_a_good_cut_and_reports_it_as_json()
    {
        var path = GsetFile("G1.txt");
        var r = await QuantumEdgeProcess.RunAsync(["plan", "solve", "--gset", path, "--time-limit-ms", "1000", "--seed", "3", "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.Stdout);
        var root = json.RootElement;
        var instance = GsetParser.ParseFile(path);
        var x = Solution(root);
        Assert.Equal(instance.NodeCount, x.Length);
        Assert.All(x, v => Assert.True(v is 0 or 1));
        var cut = instance.Edges.Where(e => x[e.I] != x[e.J]).Sum(e => e.Weight);
        Assert.Equal(cut, root.GetProperty("objective").GetDouble());
        // A contract test, not a quality benchmark: how much of the best cut one wall-clock second buys
        // depends on the CPU the box lends. Quality at fixed step budgets is in the planning tests
        // (GsetQualityTests, >= 99%); the 1-s figure is the planning benchmark's. 97% is far above a
        // random cut (half of G1's 19,176 edges: 82% of the best) yet safe on a loaded machine.
        Assert.True(cut >= 0.97 * BestKnown("G1"), $"cut {cut} < 97% of {BestKnown("G1")}");
        // How many steps one second buys depends on the box too: on a very loaded one the limit can pass
        // during set-up, before the first step (the end-of-round polish still runs). What the command
        // guarantees is at least one round per solve and a whole, non-negative step count.
        Assert.True(root.GetProperty("rounds").GetInt32() >= 1, $"rounds {root.GetProperty("rounds")}");
        Assert.True(root.GetProperty("steps").GetInt64() >= 0, $"steps {root.GetProperty("steps")}");
        Assert.True(root.GetProperty("agents").GetInt32() >= 32);
        Assert.InRange(root.GetProperty("coherence").GetDouble(), 0, 1);
        Assert.InRange(root.GetProperty("time_to_best_ms").GetDouble(), 0, root.GetProperty("elapsed_ms").GetDouble());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
    }

    [Fact]
    public async Task Finds_the_minimum_energy_of_a_small_qubo_and_reports_its_solution()
    {
        // Random 14-variable QUBO, minimum by enumeration.
        var rng = new Random(11);
        var n = 14;
        var lines = new List<string>();
        for (var i = 1; i <= n; i++)
        {
            lines.Add($"{i} {i} {rng.Next(-6, 5)}");
            for (var j = i + 1; j <= n; j++)
            {
                if (rng.NextDouble() < 0.4)
                {
                    lines.Add($"{i} {j} {rng.Next(-5, 6)}");
                }
            }
        }

        var text = $"{n} {lines.Count}\r\n{string.Join("\r\n", lines)}\r\n";
        var qubo = QuboParser.Parse(text);
        var minimum = double.PositiveInfinity;
        for (var mask = 0; mask < 1 << n; mask++)
        {
            minimum = Math.Min(minimum, Energy(qubo, [.. Enumerable.Range(0, n).Select(i => (byte)((mask >> i) & 1))]));
        }

        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, text);
        try
        {
            var r = await QuantumEdgeProcess.RunAsync(["plan", "solve", "--qubo", path, "--time-limit-ms", "300", "--agents", "16", "--device", "cpu", "--json"]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var objective = json.RootElement.GetProperty("objective").GetDouble();
            Assert.Equal(minimum, objective, 9);
            Assert.Equal(objective, Energy(qubo, Solution(json.RootElement)), 9);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Prints_a_readable_summary_without_json()
    {
        var r = await QuantumEdgeProcess.RunAsync(["plan", "solve", "--gset", GsetFile("G1.txt"), "--time-limit-ms", "100"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("G1.txt: gset, 800 variables", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("(cut, maximised)", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("coherence", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_exits_2_naming_the_option()
    {
        var r = await QuantumEdgeProcess.RunAsync(["plan", "solve", "--gset", "/nonexistent/G1.txt"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'--gset'", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_file_exits_2_naming_the_line()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "3 2\n1 2 1\n2 x 1\n");
        try
        {
            var r = await QuantumEdgeProcess.RunAsync(["plan", "solve", "--qubo", path]);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("'--qubo'", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("line 3", r.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("--device", "tpu", "is not cpu, gpu or auto")]
    [InlineData("--time-limit-ms", "0", "positive")]
    [InlineData("--agents", "0", "between 1 and 100000")]
    [InlineData("--steps", "1", "auto or a whole number of at least 2")]
    [InlineData("--steps", "fast", "auto or a whole number of at least 2")]
    public async Task Bad_options_exit_2_with_a_message_that_names_them(string option, string value, string message)
    {
        var r = await QuantumEdgeProcess.RunAsync(["plan", "solve", "--gset", GsetFile("G1.txt"), option, value]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"'{option}'", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(message, r.Stderr, StringComparison.Ordinal);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public async Task Exactly_one_instance_is_required()
    {
        var none = await QuantumEdgeProcess.RunAsync(["plan", "solve"]);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("exactly one of --gset FILE or --qubo FILE", none.Stderr, StringComparison.Ordinal);
        var both = await QuantumEdgeProcess.RunAsync(["plan", "solve", "--gset", GsetFile("G1.txt"), "--qubo", GsetFile("G1.txt")]);
        Assert.Equal(2, both.ExitCode);
    }

    private static double Energy(QuboInstance qubo, byte[] x)
    {
        var e = qubo.Offset;
        for (var i = 0; i < x.Length; i++)
        {
            e += qubo.Linear[i] * x[i];
        }

        foreach (var q in qubo.Quadratic)
        {
            e += q.Weight * x[q.I] * x[q.J];
        }

        return e;
    }
}
