using QuantumEdge.Gateway.Classification.PhiDetection;

namespace QuantumEdge.Gateway.Tests.Classification.PhiDetection;

public sealed class PhiValidatorsTests
{
    private static byte[] D(string s) => [.. s.Where(char.IsAsciiDigit).Select(c => (byte)(c - '0'))];

    [Theory]
    [InlineData("219-09-9999", true)]
    [InlineData("000-12-3456", false)]
    [InlineData("666-12-3456", false)]
    [InlineData("912-12-3456", false)]
    [InlineData("123-00-4567", false)]
    [InlineData("123-45-0000", false)]
    [InlineData("111-11-1111", false)]
    public void Ssn_excludes_ranges_never_issued(string ssn, bool valid) => Assert.Equal(valid, PhiValidators.Ssn(D(ssn)));

    [Theory]
    [InlineData("1234567893", true)]
    [InlineData("1234567890", false)]
    [InlineData("3234567893", false)]
    [InlineData("2345678900", true)]
    public void Npi_is_luhn_with_the_80840_prefix(string npi, bool valid) => Assert.Equal(valid, PhiValidators.Npi(D(npi)));

    [Theory]
    [InlineData("AB1234563", true)]
    [InlineData("AB1234564", false)]
    [InlineData("BS7654329", true)]
    [InlineData("A11234563", false)]
    public void Dea_checksum(string dea, bool valid) => Assert.Equal(valid, PhiValidators.Dea(dea));

    [Theory]
    [InlineData("4111 1111 1111 1111", true)]
    [InlineData("4111 1111 1111 1112", false)]
    [InlineData("378134249855769", true)]
    [InlineData("9111111111111111111", false)]
    public void Card_is_luhn_with_an_issuer_prefix(string card, bool valid) => Assert.Equal(valid, PhiValidators.PaymentCard(D(card)));

    [Theory]
    [InlineData("1HGCM82633A004352", true)]
    [InlineData("1HGCM82635A004352", false)]
    [InlineData("11111111111111111", false)]
    public void Vin_check_digit(string vin, bool valid) => Assert.Equal(valid, PhiValidators.Vin(vin));
}
