namespace QuantumEdge.Node.Cli;

/// <summary>The process exit codes of the CLI contract (README, Command line).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}
