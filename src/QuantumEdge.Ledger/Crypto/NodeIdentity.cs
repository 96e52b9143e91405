using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace QuantumEdge.Ledger.Crypto;

/// <summary>
/// The node's Ed25519 identity key pair ("quantum encryption keys"): signs audit checkpoints,
/// the head file and the retention anchor. Stored as PKCS#8 / SubjectPublicKeyInfo PEM files.
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    public const string PrivateKeyFileName = "quantum_private.pem";
    public const string PublicKeyFileName = "quantum_public.pem";

    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key? _privateKey;

    private NodeIdentity(Key? privateKey, PublicKey publicKey)
    {
        _privateKey = privateKey;
        PublicKey = publicKey;
        PublicKeyBytes = publicKey.Export(KeyBlobFormat.RawPublicKey);
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(PublicKeyBytes))[..16];
    }

    public PublicKey PublicKey { get; }

    /// <summary>The raw 32-byte Ed25519 public key.</summary>
    public byte[] PublicKeyBytes { get; }

    /// <summary>First 16 hex digits of SHA-256 over the raw public key.</summary>
    public string Fingerprint { get; }

    /// <summary>False for an identity loaded from a public key only (verification only).</summary>
    public bool CanSign => _privateKey is not null;

    public static NodeIdentity Generate()
    {
        var key = Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return new NodeIdentity(key, key.PublicKey);
    }

    /// <summary>A verify-only identity from a raw 32-byte Ed25519 public key.</summary>
    public static NodeIdentity FromPublicKey(ReadOnlySpan<byte> rawPublicKey) =>
        new(null, PublicKey.Import(Algorithm, rawPublicKey, KeyBlobFormat.RawPublicKey));

    /// <summary>Loads a verify-only identity from a SubjectPublicKeyInfo PEM file.</summary>
    public static NodeIdentity LoadPublic(string publicKeyPath)
    {
        var pem = File.ReadAllBytes(publicKeyPath);
        if (!PublicKey.TryImport(Algorithm, pem, KeyBlobFormat.PkixPublicKeyText, out var publicKey) || publicKey is null)
        {
            throw new LedgerException($"'{publicKeyPath}' is not an Ed25519 SubjectPublicKeyInfo PEM public key.");
        }

        return new NodeIdentity(null, publicKey);
    }

    /// <summary>Loads the key pair from <paramref name="directory"/>/quantum_private.pem.</summary>
    public static NodeIdentity Load(string directory)
    {
        var path = Path.Combine(directory, PrivateKeyFileName);
        if (!File.Exists(path))
        {
            throw new LedgerException($"Node private key '{path}' does not exist (run 'quantumedge keygen --output-dir {directory}').");
        }

        var pem = File.ReadAllBytes(path);
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        if (!Key.TryImport(Algorithm, pem, KeyBlobFormat.PkixPrivateKeyText, out var key, in parameters) || key is null)
        {
            throw new LedgerException($"Node private key '{path}' is not an Ed25519 PKCS#8 PEM private key.");
        }

        return new NodeIdentity(key, key.PublicKey);
    }

    /// <summary>Where a ledger keeps the key it generates when no <c>storage.node_key_dir</c> is configured.</summary>
    public static string GeneratedKeyDirectory(string ledgerDirectory) => Path.Combine(ledgerDirectory, "keys");

    /// <summary>Loads the key pair, or generates and saves one when the directory has none.</summary>
    public static NodeIdentity LoadOrCreate(string directory, out bool created)
    {
        if (File.Exists(Path.Combine(directory, PrivateKeyFileName)))
        {
            created = false;
            return Load(directory);
        }

        var identity = Generate();
        identity.Save(directory);
        created = true;
        return identity;
    }

    /// <summary>Writes quantum_private.pem (0600) and quantum_public.pem (0644).</summary>
    public void Save(string directory)
    {
        if (_privateKey is null)
        {
            throw new InvalidOperationException("This identity holds no private key.");
        }

        Storage.FileModes.CreatePrivateDirectory(directory);
        WriteKeyFile(Path.Combine(directory, PrivateKeyFileName), _privateKey.Export(KeyBlobFormat.PkixPrivateKeyText),
            UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteKeyFile(Path.Combine(directory, PublicKeyFileName), PublicKey.Export(KeyBlobFormat.PkixPublicKeyText),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>Writes only quantum_public.pem (0644).</summary>
    public void SavePublic(string directory)
    {
        Directory.CreateDirectory(directory);
        WriteKeyFile(Path.Combine(directory, PublicKeyFileName), PublicKey.Export(KeyBlobFormat.PkixPublicKeyText),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        if (_privateKey is null)
        {
            throw new InvalidOperationException("This identity holds no private key.");
        }

        return Algorithm.Sign(_privateKey, data);
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == Algorithm.SignatureSize && Algorithm.Verify(PublicKey, data, signature);

    public string PublicKeyPem => Encoding.ASCII.GetString(PublicKey.Export(KeyBlobFormat.PkixPublicKeyText));

    public void Dispose() => _privateKey?.Dispose();

    private static void WriteKeyFile(string path, byte[] content, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Create with the final mode so the private key is never briefly world-readable.
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(content);
            stream.Flush(true);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
