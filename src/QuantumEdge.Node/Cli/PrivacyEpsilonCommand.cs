using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Privacy.Calculator;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// <c>quantumedge privacy epsilon</c>: the Rényi-DP accountant as a calculator, for the
/// subsampled Gaussian mechanism (default) or the Laplace mechanism.
/// </summary>
internal static class PrivacyEpsilonCommand
{
    public static Command Create()
    {
        var mechanism = new Option<string>("--mechanism") { Description = "gaussian (Poisson-subsampled Gaussian) or laplace.", DefaultValueFactory = _ => "gaussian" };
        var sigma = new Option<double?>("--sigma") { Description = "Noise multiplier σ (gaussian)." };
        var q = new Option<double?>("--q") { Description = "Sampling rate in [0, 1] (gaussian; default 1)." };
        var epsilon = new Option<double?>("--epsilon") { Description = "ε of one Laplace step (laplace)." };
        var steps = new Option<long>("--steps") { Description = "Number of compositions.", Required = true };
        var delta = new Option<double>("--delta") { Description = "Target δ in (0, 1).", DefaultValueFactory = _ => 1e-5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("epsilon", "ε at a given δ after N steps of a mechanism (Rényi DP, Balle et al. 2020 conversion).")
        {
            mechanism, sigma, q, epsilon, steps, delta, json,
        };
        command.SetAction(parse =>
        {
            PrivacyCalculation result;
            try
            {
                result = parse.GetValue(mechanism)!.ToLowerInvariant() switch
                {
                    "gaussian" or "subsampled_gaussian" => PrivacyCalculator.SubsampledGaussian(
                        parse.GetValue(sigma) ?? throw new ConfigurationException("--sigma", "is required for the gaussian mechanism"),
                        parse.GetValue(q) ?? 1.0,
                        parse.GetValue(steps),
                        parse.GetValue(delta)),
                    "laplace" => PrivacyCalculator.Laplace(
                        parse.GetValue(epsilon) ?? throw new ConfigurationException("--epsilon", "is required for the laplace mechanism"),
                        parse.GetValue(steps),
                        parse.GetValue(delta)),
                    var other => throw new ConfigurationException("--mechanism", $"'{other}' is not gaussian or laplace"),
                };
            }
            catch (ArgumentException e)
            {
                // The accountant's message names the parameter and the value; drop .NET's "(Parameter '…')" suffix.
                var message = e.Message.Split('\n')[0];
                var suffix = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
                throw new ConfigurationException(
                    "--" + (e.ParamName ?? "argument").Replace("epsilonPerStep", "epsilon", StringComparison.Ordinal),
                    suffix > 0 ? message[..suffix] : message);
            }

            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteNumber("epsilon", result.Epsilon);
                    w.WriteNumber("best_order", result.BestOrder);
                    w.WriteNumber("delta", result.Delta);
                    w.WriteString("mechanism", result.Mechanism);
                    w.WriteNumber("steps", result.Steps);
                    Optional(w, "sigma", result.NoiseMultiplier);
                    Optional(w, "q", result.SamplingRate);
                    Optional(w, "epsilon_per_step", result.EpsilonPerStep);
                    Optional(w, "basic_epsilon", result.BasicEpsilon);
                    w.WriteEndObject();
                }

                stdout.WriteByte((byte)'\n');
            }
            else
            {
                var inv = CultureInfo.InvariantCulture;
                Console.Out.WriteLine(string.Create(inv, $"ε = {result.Epsilon:G10} at δ = {result.Delta:G3} (best Rényi order {result.BestOrder:G6}) after {result.Steps} {result.Mechanism} steps"));
                if (result.BasicEpsilon is { } basic)
                {
                    Console.Out.WriteLine(string.Create(inv, $"basic composition would give ε = {basic:G10}"));
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Optional(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }
}
