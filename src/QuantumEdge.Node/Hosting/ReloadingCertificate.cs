using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// The certificate a TLS listener serves, re-read when its files change. Each handshake asks for
/// <see cref="Current"/>; at most once per <c>reload_check_seconds</c> that compares the files' size
/// and modification time (a stat, no inotify) and, when they changed, loads the new pair. Existing
/// connections keep the certificate they were opened with; a pair that fails to load (say, the
/// certificate replaced before its key) is logged and the previous one served until both fit.
/// </summary>
internal sealed class ReloadingCertificate
{
    private readonly TlsSettings _settings;
    private readonly long _checkInterval;
    private ServerCertificate _current;
    private (DateTime, long, DateTime, long) _stamp;
    private long _nextCheck;
    private int _checking;

    public ReloadingCertificate(TlsSettings settings)
    {
        _settings = settings;
        _checkInterval = settings.ReloadCheckSeconds * Stopwatch.Frequency;
        _stamp = Stamp();
        _current = ServerCertificate.Load(settings);
        _nextCheck = Stopwatch.GetTimestamp() + _checkInterval;
    }

    public ILogger Logger { get; set; } = NullLogger.Instance;

    public TlsSettings Settings => _settings;

    public ServerCertificate Current
    {
        get
        {
            if (Stopwatch.GetTimestamp() >= Volatile.Read(ref _nextCheck) && Interlocked.Exchange(ref _checking, 1) == 0)
            {
                try
                {
                    Refresh();
                }
                finally
                {
                    Volatile.Write(ref _nextCheck, Stopwatch.GetTimestamp() + _checkInterval);
                    Volatile.Write(ref _checking, 0);
                }
            }

            return Volatile.Read(ref _current);
        }
    }

    /// <summary>
    /// Re-reads the pair now, whatever the files' size and time say (configuration reload, SIGHUP);
    /// returns what happened, for the reload's report.
    /// </summary>
    public string ReloadNow()
    {
        // Wait out a handshake's check in progress rather than skip: the operator asked for this one.
        var spin = new SpinWait();
        while (Interlocked.Exchange(ref _checking, 1) != 0)
        {
            spin.SpinOnce();
        }

        try
        {
            return Refresh(force: true);
        }
        finally
        {
            Volatile.Write(ref _nextCheck, Stopwatch.GetTimestamp() + _checkInterval);
            Volatile.Write(ref _checking, 0);
        }
    }

    private string Refresh(bool force = false)
    {
        var stamp = Stamp();
        if (stamp == _stamp && !force)
        {
            return "unchanged";
        }

        _stamp = stamp;
        try
        {
            var fresh = ServerCertificate.Load(_settings);
            if (fresh.Certificate.GetCertHash().AsSpan().SequenceEqual(Volatile.Read(ref _current).Certificate.GetCertHash()))
            {
                return "unchanged";
            }

            Volatile.Write(ref _current, fresh);
            Logger.LogInformation("TLS certificate for {Block} reloaded from {File}: subject {Subject}, expires {Expires:O}",
                _settings.Path, _settings.CertificateFile, fresh.Certificate.Subject, fresh.Certificate.NotAfter.ToUniversalTime());
            return "reloaded";
        }
        catch (ConfigurationException e)
        {
            Logger.LogError("TLS certificate for {Block} not reloaded, still serving the previous one: {Error}", _settings.Path, e.Message);
            return "kept the previous one: " + e.Message;
        }
    }

    private (DateTime, long, DateTime, long) Stamp()
    {
        var certificate = new FileInfo(_settings.CertificateFile);
        var key = new FileInfo(_settings.KeyFile);
        return (certificate.Exists ? certificate.LastWriteTimeUtc : default, certificate.Exists ? certificate.Length : -1,
            key.Exists ? key.LastWriteTimeUtc : default, key.Exists ? key.Length : -1);
    }
}
