namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// Whether a configured directory (<c>node.data_dir</c>, <c>storage.ledger_dir</c>,
/// <c>storage.node_key_dir</c>, the directory of <c>logging.file</c>) can be one: it is a directory
/// already, or it does not exist yet and the nearest part of its path that does is a directory,
/// so that the node can create it. Checked when the configuration is read, so that
/// <c>check-config</c> refuses what would otherwise stop <c>serve</c> with a bare
/// "could not find a part of the path".
/// </summary>
internal static class DirectoryPath
{
    /// <summary>Why <paramref name="path"/> cannot be or become a directory, or null. Never creates anything.</summary>
    public static string? Problem(string path)
    {
        if (FullPath(path, out var full) is { } unusable)
        {
            return unusable;
        }

        for (var at = full; !string.IsNullOrEmpty(at); at = Path.GetDirectoryName(at))
        {
            if (Directory.Exists(at))
            {
                return null;
            }

            var entry = new FileInfo(at);
            if (entry.LinkTarget is not null && entry.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true })
            {
                // Path.Exists sees the link itself; the directory would have to be created at its missing target.
                return $"'{at}' is a symbolic link to '{entry.LinkTarget}', which does not exist";
            }

            if (Path.Exists(at))
            {
                return at == full
                    ? $"'{path}' exists and is not a directory"
                    : $"'{at}', part of '{path}', is not a directory";
            }
        }

        return null;
    }

    /// <summary>Throws a <see cref="ConfigurationException"/> naming <paramref name="key"/> when the directory of the file <paramref name="path"/> cannot be one.</summary>
    public static void CheckParentOf(string key, string path)
    {
        if (FullPath(path, out var full) is { } unusable)
        {
            throw new ConfigurationException(key, unusable);
        }

        if (Path.GetDirectoryName(full) is { } parent)
        {
            Check(key, parent);
        }
    }

    /// <summary>
    /// The nearest directory on the absolute path <paramref name="full"/> that exists: the path itself when it
    /// is one, else the part under which it would be created (a root, at worst).
    /// </summary>
    public static string NearestExisting(string full)
    {
        var at = full;
        while (!Directory.Exists(at) && Path.GetDirectoryName(at) is { } parent)
        {
            at = parent;
        }

        return at;
    }

    /// <summary>The absolute form of <paramref name="path"/>; returns why there is none (a NUL character), else null.</summary>
    private static string? FullPath(string path, out string full)
    {
        try
        {
            full = Path.GetFullPath(path);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            full = path;
            return $"'{path}' is not a usable path ({e.Message})";
        }
    }

    /// <summary>Throws a <see cref="ConfigurationException"/> naming <paramref name="key"/> when <paramref name="path"/> cannot be a directory.</summary>
    public static void Check(string key, string path)
    {
        if (Problem(path) is { } problem)
        {
            throw new ConfigurationException(key, problem);
        }
    }
}
