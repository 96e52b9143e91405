using System.CommandLine;
using System.Globalization;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Node.Cli;

/// <summary><c>quantumedge sim-backend</c>: a simulated OpenAI-compatible LLM server.</summary>
internal static class SimBackendCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port to listen on (0 picks a free one).", Required = true };
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var profile = new Option<string>("--profile") { Description = "vllm, llamacpp or ollama.", DefaultValueFactory = _ => "vllm" };
        var models = new Option<string>("--models") { Description = "Comma-separated model names.", DefaultValueFactory = _ => "clinical-7b" };
        var concurrency = new Option<int>("--max-concurrency") { Description = "Requests decoded at once; more get 429.", DefaultValueFactory = _ => 16 };
        var waiting = new Option<int>("--max-waiting") { Description = "Requests that may queue before 429.", DefaultValueFactory = _ => 0 };
        var scale = new Option<double>("--time-scale") { Description = "Multiplies every simulated delay (0 = instant).", DefaultValueFactory = _ => 1.0 };
        var name = new Option<string>("--name") { Description = "Name reported as the models' owner.", DefaultValueFactory = _ => "sim" };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "Require 'Authorization: Bearer $VAR' from clients." };
        var command = new Command("sim-backend", "Run a simulated OpenAI-compatible LLM server (latency model, streaming, usage, vLLM-style /metrics).")
        {
            port, host, profile, models, concurrency, waiting, scale, name, apiKeyEnv,
        };
        command.SetAction(async (parse, ct) =>
        {
            var p = parse.GetValue(port);
            if (p is < 0 or > 65535)
            {
                throw new ConfigurationException("--port", $"{p} is not a port number");
            }

            SimulationProfile prof;
            try
            {
                prof = SimulationProfile.Parse(parse.GetValue(profile)!);
            }
            catch (ArgumentException e)
            {
                throw new ConfigurationException("--profile", e.Message);
            }

            var maxConcurrency = parse.GetValue(concurrency);
            if (maxConcurrency < 1)
            {
                throw new ConfigurationException("--max-concurrency", "must be at least 1");
            }

            var timeScale = parse.GetValue(scale);
            if (!double.IsFinite(timeScale) || timeScale < 0)
            {
                throw new ConfigurationException("--time-scale", "must be a non-negative number");
            }

            string? key = null;
            if (parse.GetValue(apiKeyEnv) is { } envName)
            {
                key = Environment.GetEnvironmentVariable(envName) is { Length: > 0 } v
                    ? v
                    : throw new ConfigurationException("--api-key-env", $"environment variable {envName} is not set");
            }

            var options = new SimulatedBackendOptions
            {
                Name = parse.GetValue(name)!,
                Profile = prof,
                Models = parse.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                MaxConcurrency = maxConcurrency,
                MaxWaiting = Math.Max(0, parse.GetValue(waiting)),
                TimeScale = timeScale,
                RequiredApiKey = key,
            };
            var url = $"http://{parse.GetValue(host)}:{p.ToString(CultureInfo.InvariantCulture)}";
            await using var sim = await SimulatedBackend.StartAsync(options, url, ct);
            Console.Out.WriteLine($"sim-backend ({prof.Name}) serving {string.Join(", ", options.Models)} at {sim.BaseUrl}");
            try
            {
                // Runs until the host stops (SIGTERM/Ctrl+C reach it directly) or the verb's token is cancelled.
                await sim.WaitForShutdownAsync(ct);
            }
            catch (OperationCanceledException)
            {
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
