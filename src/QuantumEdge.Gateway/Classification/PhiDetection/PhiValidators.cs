namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>Checksums and range rules that tell a real identifier from a number of the same shape.</summary>
internal static class PhiValidators
{
    /// <summary>Copies the ASCII digits of <paramref name="text"/> into <paramref name="digits"/>; returns how many (or -1 when more than fit).</summary>
    public static int Digits(ReadOnlySpan<char> text, Span<byte> digits)
    {
        var n = 0;
        foreach (var c in text)
        {
            if (c is >= '0' and <= '9')
            {
                if (n == digits.Length)
                {
                    return -1;
                }

                digits[n++] = (byte)(c - '0');
            }
        }

        return n;
    }

    /// <summary>Luhn (mod 10) over the digits, the last being the check digit.</summary>
    public static bool Luhn(ReadOnlySpan<byte> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i];
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return digits.Length > 0 && sum % 10 == 0;
    }

    /// <summary>
    /// US SSN issuance rules: area not 000, 666 or 900–999, group not 00, serial not 0000, and not a
    /// run of one digit (111-11-1111), which forms use as a placeholder.
    /// </summary>
    public static bool Ssn(ReadOnlySpan<byte> d)
    {
        if (d.Length != 9)
        {
            return false;
        }

        var area = (d[0] * 100) + (d[1] * 10) + d[2];
        var group = (d[3] * 10) + d[4];
        var serial = (d[5] * 1000) + (d[6] * 100) + (d[7] * 10) + d[8];
        return area is not (0 or 666 or >= 900) && group != 0 && serial != 0 && d.IndexOfAnyExcept(d[0]) >= 0;
    }

    /// <summary>NPI: ten digits starting 1 or 2, Luhn-valid once prefixed with the card issuer code 80840.</summary>
    public static bool Npi(ReadOnlySpan<byte> d)
    {
        if (d.Length != 10 || d[0] is not (1 or 2))
        {
            return false;
        }

        Span<byte> prefixed = stackalloc byte[15];
        prefixed[0] = 8;
        prefixed[1] = 0;
        prefixed[2] = 8;
        prefixed[3] = 4;
        prefixed[4] = 0;
        d.CopyTo(prefixed[5..]);
        return Luhn(prefixed);
    }

    /// <summary>DEA registration: two letters, seven digits; (d1+d3+d5) + 2(d2+d4+d6) ends in d7.</summary>
    public static bool Dea(ReadOnlySpan<char> text)
    {
        if (text.Length != 9 || !char.IsAsciiLetter(text[0]) || !(char.IsAsciiLetter(text[1]) || text[1] == '9'))
        {
            return false;
        }

        Span<int> d = stackalloc int[7];
        for (var i = 0; i < 7; i++)
        {
            var c = text[i + 2];
            if (c is < '0' or > '9')
            {
                return false;
            }

            d[i] = c - '0';
        }

        return (d[0] + d[2] + d[4] + (2 * (d[1] + d[3] + d[5]))) % 10 == d[6];
    }

    /// <summary>A payment card: 13–19 digits, Luhn-valid, with a known issuer prefix.</summary>
    public static bool PaymentCard(ReadOnlySpan<byte> d)
    {
        if (d.Length is < 13 or > 19 || !Luhn(d))
        {
            return false;
        }

        var two = (d[0] * 10) + d[1];
        var four = (two * 100) + (d[2] * 10) + d[3];
        return d[0] == 4
            || two is >= 51 and <= 55 or 34 or 37 or 36 or 38 or 65
            || four is >= 2221 and <= 2720 or 6011 or >= 3528 and <= 3589
            || (d.Length >= 6 && ((four * 100) + (d[4] * 10) + d[5]) is >= 644000 and <= 649999);
    }

    /// <summary>A North American number: area and exchange codes start 2–9 and the area is not an N11 service code.</summary>
    public static bool NanpPhone(ReadOnlySpan<byte> d)
    {
        if (d.Length == 11 && d[0] == 1)
        {
            d = d[1..];
        }

        return d.Length == 10 && d[0] >= 2 && d[3] >= 2 && !(d[1] == 1 && d[2] == 1) && !(d[4] == 1 && d[5] == 1);
    }

    /// <summary>Toll-free area codes: numbers of services and companies, rarely a patient's own.</summary>
    public static bool TollFree(ReadOnlySpan<byte> d)
    {
        if (d.Length == 11)
        {
            d = d[1..];
        }

        return d.Length == 10 && d[0] == 8 && d[1] == d[2] && d[1] is 0 or 3 or 4 or 5 or 6 or 7 or 8;
    }

    /// <summary>A VIN (17 characters, no I/O/Q) whose check digit (position 9) is right.</summary>
    public static bool Vin(ReadOnlySpan<char> text)
    {
        if (text.Length != 17)
        {
            return false;
        }

        ReadOnlySpan<int> weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
        var sum = 0;
        var digits = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = VinValue(char.ToUpperInvariant(text[i]));
            if (value < 0)
            {
                return false;
            }

            digits += text[i] is >= '0' and <= '9' ? 1 : 0;
            sum += value * weights[i];
        }

        var check = sum % 11;
        var expected = check == 10 ? 'X' : (char)('0' + check);
        return digits is >= 3 and < 17 && char.ToUpperInvariant(text[8]) == expected;
    }

    private static int VinValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'H' => c - 'A' + 1,
        >= 'J' and <= 'N' => c - 'J' + 1,
        'P' => 7,
        'R' => 9,
        >= 'S' and <= 'Z' => c - 'S' + 2,
        _ => -1,
    };
}
