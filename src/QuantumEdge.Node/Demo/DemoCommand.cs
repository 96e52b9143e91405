using System.CommandLine;

namespace QuantumEdge.Node.Cli;

/// <summary><c>quantumedge demo</c>: three hospital nodes, simulated backends, a clinical workload, a report.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var requests = new Option<int>("--requests") { Description = "Requests in the workload.", DefaultValueFactory = _ => 600 };
        var seed = new Option<int>("--seed") { Description = "Workload seed.", DefaultValueFactory = _ => 42 };
        var command = new Command("demo", "Run three hospital nodes with simulated backends on loopback, drive a mixed clinical workload, and print a report.")
        {
            requests, seed,
        };
        command.SetAction(async (parse, ct) =>
        {
            var report = await Demo.DemoRunner.RunAsync(new Demo.DemoOptions(parse.GetValue(requests), parse.GetValue(seed)), Console.Out, ct);
            return report.Failed ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }
}
