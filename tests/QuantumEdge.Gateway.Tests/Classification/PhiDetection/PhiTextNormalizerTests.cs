using System.Text;
using QuantumEdge.Gateway.Classification.PhiDetection;

namespace QuantumEdge.Gateway.Tests.Classification.PhiDetection;

/// <summary>
/// The base64 pass jumps over stretches of prose a window at a time: on texts made of base64
/// runs of every length, '=' padding in every place, breaks and prose, it decodes exactly the runs
/// that visiting every character did.
/// </summary>
public sealed class PhiTextNormalizerTests
{
    private static readonly string[] Pieces =
    [
        " ", "-", ".", "\n", "=", "==", "===", "a", "Z9", "+/", "word", "MRN", "abcdefghijklm", "ABCDEFGHIJKLMN", "0123456789abcde",
        Convert.ToBase64String(Encoding.UTF8.GetBytes("MRN 00483921")), Convert.ToBase64String(Encoding.UTF8.GetBytes("DOB 03/14/1962 x")),
        Convert.ToBase64String(Encoding.UTF8.GetBytes("Patient: Jane Doe")), Convert.ToBase64String(Encoding.UTF8.GetBytes("SSN 123-45-6789")),
    ];

    [Fact]
    public void Base64_pass_decodes_the_runs_a_visit_of_every_character_decodes()
    {
        var random = new Random(11);
        var decodedTexts = 0;
        for (var round = 0; round < 20000; round++)
        {
            var text = Text(random);
            var actual = new char[(2 * text.Length) + 2];
            var expected = new char[(2 * text.Length) + 2];
            text.CopyTo(actual);
            text.CopyTo(expected);
            var actualWritten = PhiTextNormalizer.AppendBase64Text(actual, text.Length);
            var expectedWritten = Reference(expected, text.Length);
            Assert.Equal(expectedWritten, actualWritten);
            Assert.Equal(new string(expected, text.Length, expectedWritten), new string(actual, text.Length, actualWritten));
            decodedTexts += expectedWritten > 0 ? 1 : 0;
        }

        Assert.True(decodedTexts > 2000, $"only {decodedTexts} texts held a decodable run: the texts do not exercise the pass");
    }

    private static string Text(Random random)
    {
        var sb = new StringBuilder();
        var pieces = random.Next(1, 12);
        for (var i = 0; i < pieces; i++)
        {
            sb.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return sb.ToString();
    }

    /// <summary>The pass as it was: every character visited, a run ended at the first character that is not base64.</summary>
    private static int Reference(Span<char> output, int length)
    {
        var written = 0;
        var start = -1;
        for (var i = 0; i <= length; i++)
        {
            var inRun = i < length && (char.IsAsciiLetterOrDigit(output[i]) || output[i] is '+' or '/');
            if (inRun && start < 0)
            {
                start = i;
            }
            else if (!inRun && start >= 0)
            {
                var end = i;
                while (end < length && output[end] == '=' && end - i < 2)
                {
                    end++;
                }

                if (end - start >= 16)
                {
                    written += PhiTextNormalizer.DecodeRun(output[start..end], output[(length + written)..]);
                }

                start = -1;
                i = end;
            }
        }

        return written;
    }
}
