using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// The Files API's storage under <c>&lt;data_dir&gt;/batch/files</c>: each file's content
/// (<c>&lt;id&gt;.jsonl</c>, mode 0600) and its metadata (<c>&lt;id&gt;.json</c>, holding the content's
/// SHA-256). Content is streamed to a temporary file under a byte cap, fsync'd and renamed before
/// its metadata is written atomically, so a file is listed only once whole; every read of the
/// content checks the checksum first. Metadata is indexed in memory; content never is.
/// </summary>
internal sealed class BatchFileStore
{
    private readonly ConcurrentDictionary<string, StoredFile> _files = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public BatchFileStore(string directory, TimeProvider time)
    {
        Directory = directory;
        _time = time;
        FileModes.CreatePrivateDirectory(directory);
        foreach (var meta in System.IO.Directory.EnumerateFiles(directory, "*.json"))
        {
            var stored = JsonSerializer.Deserialize(File.ReadAllBytes(meta), BatchJsonContext.Default.StoredFile);
            if (stored is not null && BatchIds.IsFileId(stored.Id) && File.Exists(ContentPath(stored.Id)))
            {
                _files[stored.Id] = stored;
            }
        }

        // Uploads a crash cut short were never listed: their temporary files go.
        foreach (var partial in System.IO.Directory.EnumerateFiles(directory, "*.partial"))
        {
            File.Delete(partial);
        }
    }

    public string Directory { get; }

    public IEnumerable<StoredFile> All => _files.Values;

    /// <summary>
    /// The file, or null. One another replica stored on the shared files volume (an upload, or the
    /// output of a batch it ran) is read from its metadata on first use.
    /// </summary>
    public StoredFile? Find(string id)
    {
        if (!BatchIds.IsFileId(id))
        {
            return null;
        }

        if (_files.TryGetValue(id, out var known))
        {
            return known;
        }

        try
        {
            var stored = File.Exists(ContentPath(id)) ? JsonSerializer.Deserialize(File.ReadAllBytes(MetaPath(id)), BatchJsonContext.Default.StoredFile) : null;
            return stored is not null && stored.Id == id ? _files[id] = stored : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null; // not there (deleted meanwhile), or not yet whole
        }
    }

    /// <summary>Streams an upload to a temporary file under <paramref name="maxBytes"/>; nothing is listed until <see cref="Commit"/>.</summary>
    public async Task<StagedFile> StageAsync(Stream content, long maxBytes, CancellationToken ct)
    {
        var id = BatchIds.NewFileId();
        var staged = new StagedFile(id, Path.Combine(Directory, id + ".partial"));
        try
        {
            (staged.Bytes, staged.Sha256) = await WriteAsync(staged.Path, maxBytes, s => CopyUploadAsync(content, s, ct)).ConfigureAwait(false);
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies an upload's part, telling the caller's fault from the node's: a read that fails (a
    /// multipart body that ends before its closing boundary) is malformed input, while a failed write
    /// to the staging file is the node's disk and stays an <see cref="IOException"/>.
    /// </summary>
    private static async Task CopyUploadAsync(Stream content, Stream destination, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await content.ReadAsync(buffer, ct).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new InvalidDataException($"the upload ended before its closing boundary ({e.Message})", e);
                }

                if (read == 0)
                {
                    return;
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Makes a staged upload durable and listed.</summary>
    public StoredFile Commit(StagedFile staged, string owner, string filename, string purpose, int lines, IReadOnlyList<string> urls) =>
        Publish(staged.Path, new StoredFile
        {
            Id = staged.Id, Owner = owner, Filename = filename, Purpose = purpose, Bytes = staged.Bytes, Sha256 = staged.Sha256,
            CreatedAt = _time.GetUtcNow().ToUnixTimeSeconds(), Lines = lines, Urls = urls,
        });

    /// <summary>
    /// Stores a file the node writes itself (a batch's output or error file) under a fixed id, so
    /// writing it again after a crash replaces it rather than leaving a second copy.
    /// </summary>
    public StoredFile AddGenerated(string id, string owner, string filename, string purpose, int lines, Action<Stream> write)
    {
        var partial = Path.Combine(Directory, id + ".partial");
        try
        {
            long bytes;
            string sha;
            using (var file = new FileStream(partial, PrivateCreate(FileMode.Create, FileOptions.None)))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using (var hashing = new CappedHashingStream(file, hash, long.MaxValue))
                {
                    write(hashing);
                }

                file.Flush(flushToDisk: true);
                bytes = file.Length;
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            return Publish(partial, new StoredFile
            {
                Id = id, Owner = owner, Filename = filename, Purpose = purpose, Bytes = bytes, Sha256 = sha,
                CreatedAt = _time.GetUtcNow().ToUnixTimeSeconds(), Lines = lines,
            });
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>Opens a file's content after checking it against its recorded SHA-256 (a 500 naming the file when it does not match).</summary>
    public async Task<Stream> OpenVerifiedAsync(StoredFile file, CancellationToken ct)
    {
        var stream = OpenRead(ContentPath(file.Id));
        try
        {
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
            if (hash != file.Sha256)
            {
                throw new GatewayError(500, "server_error", "file_corrupt",
                    $"file {file.Id} does not match the checksum recorded when it was stored; it is damaged on disk");
            }

            stream.Position = 0;
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Delete(StoredFile file)
    {
        // The metadata goes first: a crash in between leaves unlisted content, never a listed file without content.
        File.Delete(MetaPath(file.Id));
        File.Delete(ContentPath(file.Id));
        _files.TryRemove(file.Id, out _);
    }

    private StoredFile Publish(string partial, StoredFile file)
    {
        File.Move(partial, ContentPath(file.Id), overwrite: true);
        // Replacing the metadata fsyncs the directory, which makes the content's rename durable with it.
        DurableFile.Replace(MetaPath(file.Id), JsonSerializer.SerializeToUtf8Bytes(file, BatchJsonContext.Default.StoredFile));
        _files[file.Id] = file;
        return file;
    }

    private static async Task<(long Bytes, string Sha256)> WriteAsync(string path, long maxBytes, Func<Stream, Task> write)
    {
        await using var file = new FileStream(path, PrivateCreate(FileMode.CreateNew, FileOptions.Asynchronous));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var capped = new CappedHashingStream(file, hash, maxBytes))
        {
            await write(capped).ConfigureAwait(false);
        }

        file.Flush(flushToDisk: true);
        return (file.Length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static FileStreamOptions PrivateCreate(FileMode mode, FileOptions options)
    {
        var result = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None, Options = options };
        if (!OperatingSystem.IsWindows())
        {
            result.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return result;
    }

    internal static FileStream OpenRead(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, Options = FileOptions.Asynchronous });

    private string ContentPath(string id) => Path.Combine(Directory, id + ".jsonl");

    private string MetaPath(string id) => Path.Combine(Directory, id + ".json");
}

/// <summary>An upload written to a temporary file, not yet listed; disposing it removes what was not committed.</summary>
internal sealed class StagedFile(string id, string path) : IDisposable
{
    public string Id { get; } = id;
    public string Path { get; } = path;
    public long Bytes { get; set; }
    public string Sha256 { get; set; } = "";

    public FileStream OpenRead() => BatchFileStore.OpenRead(Path);

    public void Dispose() => File.Delete(Path);
}
