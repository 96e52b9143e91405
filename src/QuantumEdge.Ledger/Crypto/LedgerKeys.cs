using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace QuantumEdge.Ledger.Crypto;

/// <summary>
/// The symmetric keys derived from MASTER_KEY: one Argon2id root, then HKDF-expanded
/// subkeys so that each purpose has its own independent key.
/// </summary>
internal sealed class LedgerKeys : IDisposable
{
    public const int SaltSize = 16;

    private LedgerKeys(Key fieldKey, byte[] userIndexKey, byte[] promptKey, byte[] budgetMacKey, byte[] keyCheck)
    {
        BudgetMacKey = budgetMacKey;
        FieldKey = fieldKey;
        UserIndexKey = userIndexKey;
        PromptKey = promptKey;
        KeyCheck = keyCheck;
    }

    /// <summary>XChaCha20-Poly1305 key for encrypted fields.</summary>
    public Key FieldKey { get; }

    /// <summary>HMAC-SHA256 key for the user lookup hash.</summary>
    public byte[] UserIndexKey { get; }

    /// <summary>HMAC-SHA256 key for prompt fingerprints.</summary>
    public byte[] PromptKey { get; }

    /// <summary>HMAC-SHA256 key sealing budget rows.</summary>
    public byte[] BudgetMacKey { get; }

    /// <summary>Stored in the meta collection to recognise a wrong MASTER_KEY.</summary>
    public byte[] KeyCheck { get; }

    public static LedgerKeys Derive(string masterKey, ReadOnlySpan<byte> salt, KdfParameters parameters)
    {
        var argon = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = parameters.MemoryKiB,
            NumberOfPasses = parameters.Passes,
        });
        var root = argon.DeriveBytes(masterKey, salt, 32);
        try
        {
            var fieldBytes = Expand(root, "qe-ledger/field-aead/v1");
            var fieldKey = Key.Import(AeadAlgorithm.XChaCha20Poly1305, fieldBytes, KeyBlobFormat.RawSymmetricKey);
            CryptographicOperations.ZeroMemory(fieldBytes);
            return new LedgerKeys(
                fieldKey,
                Expand(root, "qe-ledger/user-index/v1"),
                Expand(root, "qe-ledger/prompt-hmac/v1"),
                Expand(root, "qe-ledger/budget-mac/v1"),
                Expand(root, "qe-ledger/key-check/v1"));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(root);
        }
    }

    public void Dispose()
    {
        FieldKey.Dispose();
        CryptographicOperations.ZeroMemory(UserIndexKey);
        CryptographicOperations.ZeroMemory(PromptKey);
        CryptographicOperations.ZeroMemory(BudgetMacKey);
    }

    private static byte[] Expand(byte[] root, string info) =>
        HKDF.Expand(HashAlgorithmName.SHA256, root, 32, Encoding.ASCII.GetBytes(info));
}
