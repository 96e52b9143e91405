using System.CommandLine;
using System.Globalization;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// <c>quantumedge probe URL</c>: exit 0 when URL answers 2xx in time, 1 otherwise. The container
/// image has no shell or curl, so its health check (compose <c>healthcheck</c>, Kubernetes exec
/// probes) runs the node's own binary against <c>/health/live</c> or <c>/health/ready</c>.
/// </summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "http(s) URL to GET, e.g. http://127.0.0.1:8080/health/live." };
        var timeout = new Option<double>("--timeout-seconds") { Description = "Give up after this long (exit 1).", DefaultValueFactory = _ => 5 };
        var command = new Command("probe", "Exit 0 when URL answers 2xx within the timeout, else 1 (health checks in the container image, which has no curl).")
        {
            url, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(url)!;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var target) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
            {
                throw new ConfigurationException("url", $"'{text}' is not an http(s) URL");
            }

            var seconds = parse.GetValue(timeout);
            if (!double.IsFinite(seconds) || seconds <= 0 || seconds > 300)
            {
                throw new ConfigurationException("--timeout-seconds", $"{seconds.ToString(CultureInfo.InvariantCulture)} is not between 0 and 300");
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
            // No proxy: a probe asks this host's node, never whatever HTTP_PROXY names.
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
            try
            {
                using var response = await client.GetAsync(target, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var status = (int)response.StatusCode;
                Console.Out.WriteLine($"{target}: {status.ToString(CultureInfo.InvariantCulture)} {response.ReasonPhrase}");
                return response.IsSuccessStatusCode ? ExitCodes.Ok : ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"quantumedge: {target}: no answer within {seconds.ToString(CultureInfo.InvariantCulture)} s");
                return ExitCodes.Failure;
            }
            catch (HttpRequestException e)
            {
                await Console.Error.WriteLineAsync($"quantumedge: {target}: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
