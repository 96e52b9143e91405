namespace QuantumEdge.Ledger;

/// <summary>A ledger failure with a message meant for an operator.</summary>
public class LedgerException : Exception
{
    public LedgerException()
    {
    }

    public LedgerException(string message) : base(message)
    {
    }

    public LedgerException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>MASTER_KEY was not supplied.</summary>
public sealed class MasterKeyMissingException : LedgerException
{
    public MasterKeyMissingException()
    {
    }

    public MasterKeyMissingException(string message) : base(message)
    {
    }

    public MasterKeyMissingException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>MASTER_KEY does not match the key the store was created with.</summary>
public sealed class MasterKeyMismatchException : LedgerException
{
    public MasterKeyMismatchException()
    {
    }

    public MasterKeyMismatchException(string message) : base(message)
    {
    }

    public MasterKeyMismatchException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// MASTER_KEY cannot create a new ledger: it begins or ends with whitespace (see
/// <see cref="Crypto.MasterKeyEdges"/>). Nothing was created.
/// </summary>
public sealed class MasterKeyUnusableException : LedgerException
{
    public MasterKeyUnusableException()
    {
    }

    public MasterKeyUnusableException(string message) : base(message)
    {
    }

    public MasterKeyUnusableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>The database file is unreadable, truncated or not a ledger.</summary>
internal sealed class LedgerCorruptException : LedgerException
{
    public LedgerCorruptException()
    {
    }

    public LedgerCorruptException(string message) : base(message)
    {
    }

    public LedgerCorruptException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>The ledger is read-only because tampering was detected when it was opened.</summary>
internal sealed class LedgerTamperedException : LedgerException
{
    public LedgerTamperedException()
    {
    }

    public LedgerTamperedException(string message) : base(message)
    {
    }

    public LedgerTamperedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>Another process (or ledger instance) holds the data directory.</summary>
internal sealed class LedgerLockedException : LedgerException
{
    public LedgerLockedException()
    {
    }

    public LedgerLockedException(string message) : base(message)
    {
    }

    public LedgerLockedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// The ledger database is missing or empty where one must exist: a signed head file proves a ledger
/// with audit records was here, or a reader was pointed at a directory without a ledger.
/// </summary>
public sealed class LedgerMissingException : LedgerException
{
    public LedgerMissingException()
    {
    }

    public LedgerMissingException(string message) : base(message)
    {
    }

    public LedgerMissingException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// The ledger's store cannot be reached right now (a shared database down or unreachable): nothing
/// was written, the caller refuses charged traffic (503 <c>ledger_unavailable</c>) and retries later;
/// the store recovers by itself when it returns.
/// </summary>
public sealed class LedgerUnavailableException : LedgerException
{
    public LedgerUnavailableException()
    {
    }

    public LedgerUnavailableException(string message) : base(message)
    {
    }

    public LedgerUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// Writes were committed but could not be made durable (the sync of the log or data file, or the
/// head file's write, failed). After a failed fsync the page cache cannot be trusted (a later fsync
/// may succeed while earlier data was lost), so the ledger stops: it takes no more writes until the
/// node is restarted, and the restart re-opens and verifies it.
/// </summary>
internal sealed class LedgerDurabilityException : LedgerException
{
    public LedgerDurabilityException()
    {
    }

    public LedgerDurabilityException(string message) : base(message)
    {
    }

    public LedgerDurabilityException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The failure of <paramref name="step"/> after a commit, naming it and its cause.</summary>
    public static LedgerDurabilityException After(string step, Exception cause) => new(
        $"The ledger committed writes but could not make them durable: the {step} failed ({cause.GetType().Name}: {cause.Message}). "
        + "The ledger takes no more writes until the node is restarted; the restart re-opens and verifies the ledger.",
        cause);
}
