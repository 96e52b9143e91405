using System.Text.RegularExpressions;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>What the gateway does with a request whose prompt holds patient identifiers.</summary>
public enum PhiAction
{
    /// <summary>Treat the request as restricted: only restricted-cleared backends, charged to the privacy budget.</summary>
    Upgrade,
    /// <summary>Answer 400 <c>phi_detected</c>, naming the entity types found.</summary>
    Refuse,
    /// <summary>Route as labelled; only audit and count the finding.</summary>
    Report,
}

/// <summary>An operator's own identifier pattern (<c>security.phi_detection.extra_patterns[]</c>), compiled at load.</summary>
public sealed record PhiExtraPattern(string Name, Regex Regex, IReadOnlyList<string> Context);

/// <summary>The <c>security.phi_detection</c> block: content inspection of prompts labelled below restricted.</summary>
public sealed record PhiDetectionSettings
{
    /// <summary>How long one extra pattern may run on one prompt before the scan fails closed.</summary>
    public static readonly TimeSpan ExtraPatternTimeout = TimeSpan.FromMilliseconds(50);

    public bool Enabled { get; init; } = true;
    public PhiAction Action { get; init; } = PhiAction.Upgrade;
    /// <summary>Findings scored below this (0–1) are ignored.</summary>
    public double MinConfidence { get; init; } = 0.6;
    public IReadOnlyList<PhiExtraPattern> ExtraPatterns { get; init; } = [];
    /// <summary>Lower-case words never taken for a person's name (drugs, eponyms), added to the built-in list.</summary>
    public IReadOnlyList<string> AllowTerms { get; init; } = [];

    internal static PhiDetectionSettings Read(YamlSection s)
    {
        var d = new PhiDetectionSettings();
        var patterns = new List<PhiExtraPattern>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in s.SectionList("extra_patterns"))
        {
            var name = p.OptionalString("name") ?? throw new ConfigurationException(p.KeyPath("name"), "is required");
            if (!IsEntityName(name))
            {
                throw new ConfigurationException(p.KeyPath("name"), $"'{name}' must be lower-case letters, digits and '_' (at most 40, starting with a letter)");
            }

            if (Classification.PhiDetection.PhiEntities.IsBuiltIn(name) || !names.Add(name))
            {
                throw new ConfigurationException(p.KeyPath("name"), $"'{name}' is already the name of another entity type");
            }

            var text = p.OptionalString("regex") ?? throw new ConfigurationException(p.KeyPath("regex"), "is required");
            Regex regex;
            try
            {
                // Interpreted, culture-invariant, with a timeout: compiled regexes need the JIT, which the AOT binary lacks.
                regex = new Regex(text, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, ExtraPatternTimeout);
            }
            catch (ArgumentException e)
            {
                throw new ConfigurationException(p.KeyPath("regex"), $"is not a valid regular expression: {e.Message}");
            }

            if (MatchesAnEmptyStretch(regex))
            {
                // "", "x*", "\b", "(?=\d)": it would flag every prompt, however clean, as holding this identifier.
                throw new ConfigurationException(p.KeyPath("regex"), "can match an empty stretch of text (it finds nothing), so it would flag every prompt: give it characters it must find");
            }

            var context = p.StringList("context", []);
            patterns.Add(new PhiExtraPattern(name, regex, [.. context.Select(c => c.Trim().ToLowerInvariant()).Where(c => c.Length > 0)]));
            p.RejectUnknownKeys();
        }

        var allow = s.StringList("allow_terms", []);
        for (var i = 0; i < allow.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(allow[i]))
            {
                throw new ConfigurationException($"{s.KeyPath("allow_terms")}[{i}]", "must not be empty");
            }
        }

        var result = new PhiDetectionSettings
        {
            Enabled = s.Bool("enabled", d.Enabled),
            Action = s.Choice("action", "upgrade", "upgrade", "refuse", "report") switch
            {
                "refuse" => PhiAction.Refuse,
                "report" => PhiAction.Report,
                _ => PhiAction.Upgrade,
            },
            MinConfidence = s.Double("min_confidence", d.MinConfidence, 0, 1),
            ExtraPatterns = patterns,
            AllowTerms = [.. allow.Select(a => a.Trim().ToLowerInvariant())],
        };
        s.RejectUnknownKeys();
        return result;
    }

    private static bool IsEntityName(string name)
    {
        if (name.Length is 0 or > 40 || name[0] is < 'a' or > 'z')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Ordinary text of every kind of character, where a pattern that can match an empty stretch shows it.</summary>
    private static readonly string[] EmptyMatchProbes = ["", "zq", "Zq 1-2, (a.b)\n", "1", " ", "\n", "-", "."];

    /// <summary>Whether a pattern succeeds without taking a character somewhere in ordinary text ("", "x*", "(?:)", "\b", "(?=\d)").</summary>
    private static bool MatchesAnEmptyStretch(Regex regex)
    {
        try
        {
            foreach (var probe in EmptyMatchProbes)
            {
                foreach (var m in regex.EnumerateMatches(probe))
                {
                    if (m.Length == 0)
                    {
                        return true;
                    }
                }
            }

            return false;
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
