using System.Security.Cryptography;
using System.Text;
using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Ledger.Tests.Crypto;

public sealed class PromptFingerprintTests
{
    private static string Expected(byte[] key, string prompt) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(prompt)));

    [Fact]
    public void Two_ledgers_keys_used_in_turn_on_one_thread_each_give_their_own_hmac()
    {
        // Each fingerprint keys its HMAC with its own ledger's key, however calls on one thread alternate.
        var keyA = RandomNumberGenerator.GetBytes(32);
        var keyB = RandomNumberGenerator.GetBytes(32);
        var a = new PromptFingerprint(keyA);
        var b = new PromptFingerprint(keyB);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Expected(keyA, "discharge letter " + i), a.Compute("discharge letter " + i));
            Assert.Equal(Expected(keyB, "discharge letter " + i), b.Compute("discharge letter " + i));
        }

        Assert.Equal(Expected(keyA, ""), a.Compute(""));
    }

    [Fact]
    public async Task Threads_computing_at_once_each_get_the_keyed_hmac_of_their_prompt()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var fingerprint = new PromptFingerprint(key);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            Enumerable.Range(0, 500).All(i => fingerprint.Compute($"prompt {t}/{i}") == Expected(key, $"prompt {t}/{i}")))));

        Assert.All(results, Assert.True);
    }
}
