namespace QuantumEdge.Gateway.Benchmarks.Hosting;

/// <summary>
/// <c>--serve-yarp --listen URL --upstream URL</c>: hosts only the bare YARP proxy, in its own process,
/// until SIGTERM or SIGINT, so that an out-of-process load generator (bench/wrk/run.sh) can compare
/// the published node with it in front of the same upstream. The in-process passes never use it.
/// </summary>
internal static class YarpServeMode
{
    public const string Flag = "--serve-yarp";

    public const string Usage = "usage: QuantumEdge.Gateway.Benchmarks --serve-yarp --listen http://127.0.0.1:PORT --upstream http://127.0.0.1:PORT";

    /// <summary>Exit code: 0 after a clean stop, 2 when the arguments are wrong (the message says which).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        string? listen = null, upstream = null;
        for (var i = 1; i < args.Count; i++)
        {
            if (i + 1 >= args.Count)
            {
                return Fail($"{args[i]} needs a value");
            }

            switch (args[i])
            {
                case "--listen": listen = args[++i]; break;
                case "--upstream": upstream = args[++i]; break;
                default: return Fail($"unknown option {args[i]}");
            }
        }

        if (listen is null || upstream is null)
        {
            return Fail("--listen and --upstream are both required");
        }

        if (!Uri.TryCreate(upstream, UriKind.Absolute, out var upstreamUri) || upstreamUri.Scheme is not ("http" or "https"))
        {
            return Fail($"--upstream {upstream}: not an http(s) URL");
        }

        await using var proxy = await BareYarpProxy.StartAsync(upstream, listen).ConfigureAwait(false);
        Console.WriteLine($"bare YARP proxy on {proxy.Address} -> {upstream}");
        await proxy.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
