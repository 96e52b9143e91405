using System.Net.Sockets;
using Npgsql;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>Sorts database failures into "the database is unreachable" (503, retry later) and everything else.</summary>
internal static class PostgreSqlErrors
{
    /// <summary>
    /// True for a failure that says nothing about the ledger's data: the server is down, restarting,
    /// refusing connections, or the connection broke or timed out. SQLSTATE classes 08 (connection),
    /// 57P01–57P03 (shutdown, crash, not yet accepting), 53 (out of resources: connections, memory, disk).
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
            || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                or PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.IdleSessionTimeout,
        // Client-side failures (connect refused, socket closed, timeout, pool exhausted) carry no SQLSTATE.
        NpgsqlException => true,
        SocketException or TimeoutException or IOException => true,
        _ => false,
    };

    /// <summary>True for transaction conflicts PostgreSQL resolves by aborting one side: rerunning the batch is safe.</summary>
    public static bool IsRetryableConflict(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    /// <summary>
    /// A broken connection (not a refused or timed-out connect, which a second try would only repeat):
    /// after a server restart the pool still holds connections to the old server process, and the
    /// first use of each fails. Worth one retry on a fresh connection when nothing can have been committed.
    /// </summary>
    public static bool IsStaleConnection(Exception exception) =>
        IsUnavailable(exception) && exception is not NpgsqlException { InnerException: TimeoutException }
        && exception is not PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow };

    /// <summary>The database failed before anything was committed (a read, or a write before its COMMIT was sent).</summary>
    public static LedgerUnavailableException Unavailable(Exception exception) => new(
        $"The PostgreSQL ledger database cannot be reached ({Describe(exception)}); nothing was written. The node retries on the next request.",
        exception);

    /// <summary>
    /// The connection failed after COMMIT was sent: the server may have committed. Said as such, because
    /// "nothing was written" would be false for a charge that in fact stays spent.
    /// </summary>
    public static LedgerUnavailableException CommitOutcomeUnknown(Exception exception) => new(
        $"The connection to the PostgreSQL ledger database failed while it committed ({Describe(exception)}); the outcome is unknown: " +
        "the writes may have been committed, so a charge refused here may stay spent (it is never counted twice). " +
        "The node reads the chain head again before its next write.",
        exception);

    /// <summary>Wraps an unreachable-database failure as <see cref="LedgerUnavailableException"/>; rethrows others unchanged.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not LedgerException && IsUnavailable(ex))
        {
            throw Unavailable(ex);
        }
    }

    private static string Describe(Exception exception) => exception switch
    {
        PostgresException pg => $"SQLSTATE {pg.SqlState}: {pg.MessageText}",
        { InnerException: { } inner } => $"{exception.Message} {inner.Message}",
        _ => exception.Message,
    };
}
