namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// The token a relay reads the backend with: cancelled when the backend stays silent for the idle
/// time, or when the client goes. <see cref="Classify"/> tells the two apart afterwards.
/// </summary>
internal sealed class RelayIdleTimer(TimeSpan idle, CancellationToken clientGone) : IDisposable
{
    private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(clientGone);

    /// <summary>Restarts the idle clock and returns the token for the next read.</summary>
    public CancellationToken Arm()
    {
        _cts.CancelAfter(idle);
        return _cts.Token;
    }

    public RelayOutcome Classify() => clientGone.IsCancellationRequested ? RelayOutcome.ClientGone : RelayOutcome.IdleTimeout;

    public void Dispose() => _cts.Dispose();
}
