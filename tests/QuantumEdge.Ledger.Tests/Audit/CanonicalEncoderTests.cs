using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.Tests.Audit;

public sealed class CanonicalEncoderTests
{
    [Fact]
    public void Hashing_a_record_too_large_for_the_stack_leaves_none_of_it_in_the_shared_array_pool()
    {
        // Over 1 KiB the hash input is copied into an array rented from the process-wide pool; whoever
        // rents it next (any code in the node) must not find the record's fields in it.
        var marker = new string('Q', 1500);
        var encoder = new CanonicalEncoder().Reset("audit-record").String(marker);
        var expected = SHA256.HashData([.. "prefix"u8, .. encoder.Written]);

        Assert.Equal(expected, encoder.Sha256("prefix"u8));

        // The pool hands a returned array back to the next renter of that size on the same thread.
        var length = "prefix"u8.Length + encoder.Written.Length;
        var next = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Assert.DoesNotContain("QQQQQQQQ", Encoding.ASCII.GetString(next), StringComparison.Ordinal);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(next);
        }
    }
}
