using Microsoft.Extensions.Logging.Abstractions;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger.Retention;

namespace QuantumEdge.Node.Tests.Privacy;

/// <summary>Retention as a hosted service that survives a failed pass (issue 7, finding 17).</summary>
public sealed class RetentionServiceTests
{
    [Fact]
    public async Task A_pass_that_throws_once_is_followed_by_more_passes_and_stopping_does_not_throw()
    {
        var calls = 0;
        var succeeded = 0;
        using var service = new RetentionService(() =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new QuantumEdge.Ledger.LedgerException("disk full");
            }

            Interlocked.Increment(ref succeeded);
            return Task.FromResult<RetentionResult?>(new RetentionResult(0, 0, 1, 2));
        }, TimeSpan.FromMilliseconds(5), NullLogger<RetentionService>.Instance);

        await service.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref succeeded) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        await service.StopAsync(CancellationToken.None);
        Assert.True(Volatile.Read(ref succeeded) >= 2, $"{succeeded} successful passes after the failure");
        Assert.Equal(1, service.Failures);
        Assert.NotNull(service.ExecuteTask);
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully);
    }
}
