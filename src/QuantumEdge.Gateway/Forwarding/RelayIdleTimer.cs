namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// The token a relay reads the backend with: cancelled when the backend stays silent for the idle
/// time, when the whole answer has taken its time limit, or when the client goes. <see cref="Classify"/>
/// tells the three apart afterwards.
/// </summary>
internal sealed class RelayIdleTimer : IDisposable
{
    private readonly TimeSpan _idle;
    private readonly CancellationToken _clientGone;
    private readonly CancellationTokenSource _answer;
    private readonly CancellationTokenSource _cts;

    /// <param name="idle">Longest silence from the backend.</param>
    /// <param name="answerLimit">Longest the whole answer may take from now (null: no limit).</param>
    /// <param name="clientGone">Cancelled when the client leaves.</param>
    public RelayIdleTimer(TimeSpan idle, TimeSpan? answerLimit, CancellationToken clientGone)
    {
        _idle = idle;
        _clientGone = clientGone;
        _answer = answerLimit is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        _cts = CancellationTokenSource.CreateLinkedTokenSource(clientGone, _answer.Token);
    }

    /// <summary>Restarts the idle clock and returns the token for the next read.</summary>
    public CancellationToken Arm()
    {
        _cts.CancelAfter(_idle);
        return _cts.Token;
    }

    public RelayOutcome Classify() =>
        _clientGone.IsCancellationRequested ? RelayOutcome.ClientGone
        : _answer.IsCancellationRequested ? RelayOutcome.AnswerTimeLimit
        : RelayOutcome.IdleTimeout;

    public void Dispose()
    {
        _cts.Dispose();
        _answer.Dispose();
    }
}
