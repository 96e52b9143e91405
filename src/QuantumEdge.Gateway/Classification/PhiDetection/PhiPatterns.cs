using System.Text.RegularExpressions;

namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// The built-in identifier shapes, source-generated (no runtime compilation, AOT-safe), run on
/// normalised text. Each starts behind a look-behind that fails inside a token, so a match can
/// only begin where a token begins. Patterns that start with <c>\G</c> are tried only at the
/// position they are given (see <see cref="PhiNumberScan"/> and the date windows): the detector
/// finds the few positions where they can start faster than a regex scan that tries every digit
/// or letter of the text.
/// </summary>
internal static partial class PhiPatterns
{
    /// <summary>One capitalised word of a name (O'Brien, McDonald, Smith-Jones).</summary>
    private const string NameWord = @"(?:O'|Mc|Mac|D')?[A-Z][a-z]+(?:-[A-Z][a-z]+)?";

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture;
    // A backstop, not a budget: every pattern is linear, and a scan that still runs this long fails closed.
    private const int TimeoutMs = 2000;

    [GeneratedRegex(@"\G(?<![\w-])\d{3}(?:(?: ?- ?| )?\d{2}(?: ?- ?| )?|\.\d{2}\.|/\d{2}/)\d{4}(?![\w-]|[./]\d)", Options, TimeoutMs)]
    internal static partial Regex Ssn();

    [GeneratedRegex(@"\G(?<![\w+-])(?:\+?1 ?[-.]? ?)?(?:\(\d{3}\) ?|\d{3} ?[-./]? ?)\d{3} ?[-.]? ?\d{4}(?![\w-]|\.\d)", Options, TimeoutMs)]
    internal static partial Regex NanpPhone();

    [GeneratedRegex(@"(?<![\w+])\+[2-9]\d{0,2}(?: ?[-.]? ?\(?\d{1,4}\)?)(?: ?[-.]? ?\d{2,4}){2,4}(?![\w-])", Options, TimeoutMs)]
    internal static partial Regex InternationalPhone();

    [GeneratedRegex(@"(?<![\w/@.])(?:https?://|www\.)[^\s<>""'\\]{2,2048}", Options, TimeoutMs)]
    internal static partial Regex Url();

    [GeneratedRegex(@"\G(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\w|\.\d)", Options, TimeoutMs)]
    internal static partial Regex Ipv4();

    [GeneratedRegex(@"\G(?<![\w:])(?:[0-9a-f]{1,4}:){1,7}(?::|(?::[0-9a-f]{1,4}){1,7}|[0-9a-f]{1,4})(?![\w:])", Options, TimeoutMs)]
    internal static partial Regex Ipv6();

    [GeneratedRegex(@"\G(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])", Options, TimeoutMs)]
    internal static partial Regex CardNumber();

    /// <summary>
    /// A label that names an identifier (MRN, member ID, account, serial, plate …) followed by a
    /// token holding digits, on the same line or, after a label's ':', '#' or '=', on the next. The label decides the entity type; the token is checked afterwards.
    /// </summary>
    [GeneratedRegex(@"^(?:mrn|m\.r\.n\.?|mr ?#|mr no\.?|med(?:ical)? ?rec(?:ord)?s?(?:[ _-]?(?:no\.?|number|num|#|id))?|(?:record|chart|hospital|hosp|unit|encounter|case|visit|admission|episode)[ _-]?(?:no\.?|number|num|#|id)|patient[ _-]?(?:id|no\.?|number|num|#)|pt[ _-]?(?:id|no\.?|#)|acc(?:oun)?t\.?(?:[ _-]?(?:no\.?|number|num|#|id))?|(?:billing|invoice|claim)[ _-]?(?:no\.?|number|num|#|id)|(?:member|subscriber|policy|group|insurance|insurer|plan|health plan|beneficiary|payer)[ _-]?(?:id|no\.?|number|num|#)|medicaid(?:[ _-]?(?:id|no\.?|number|#))?|medicare(?:[ _-]?(?:id|no\.?|number|#))?|mbi|hicn|serial(?: no\.?| number| num| #)?|s/n|sn#|(?:device|implant|pacemaker|pump|icd|defibrillator)[ _-]?(?:id|identifier|serial|no\.?|number|#)|udi|imei|vin|vehicle (?:id|identification number|no\.?|number)|licen[cs]e plate(?:[ _-]?(?:no\.?|number|#))?|plate (?:no\.?|number|#))(?![a-z])[ \t""':#=|,.()\[\]-]{0,8}(?:(?<=[:#=])\n)?(?:(?:is|was|of|no\.?|number|num|id)(?![a-z])[ \t""':#=|-]{0,4})?\(?(?=[a-z0-9()-]{0,40}\d)[a-z0-9][a-z0-9()/-]{2,40}", Options, TimeoutMs)]
    internal static partial Regex LabelledIdentifier();

    [GeneratedRegex(@"\G(?:(?-i:(?<![\w-])\b(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR),? \d{5}(?:-\d{4})?(?![\w-]))|(?<![a-z])(?:zip(?: ?code)?|postal code|post ?code)[ \t""':#=-]{0,6}\d{5}(?:-\d{4})?(?![\w-]))", Options, TimeoutMs)]
    internal static partial Regex ZipCode();

    [GeneratedRegex(@"\G(?:(?-i:(?<![\w-])\d{1,6}[A-Za-z]? (?:[NSEW]\.? )?(?:[A-Z][a-z]+\.? ){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Crescent|Close)\b)|(?<![a-z])p\.? ?o\.? box \d{1,6}(?!\w))", Options, TimeoutMs)]
    internal static partial Regex StreetAddress();

    [GeneratedRegex(@"\G(?<![\w/.-])(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?,? \d{4})(?![\w/-]|\.\d)", Options, TimeoutMs)]
    internal static partial Regex Date();

    /// <summary>Names after a label ("Patient: Jane Doe", "pt Jane Doe", "Name: DOE, JANE", "daughter Mary Smith"), also on the line after a label's colon, as forms lay them out.</summary>
    [GeneratedRegex(@"^(?:(?:patient|pt|mother|father|son|daughter|wife|husband|spouse|partner|guardian|caregiver|next of kin|nok|sister|brother)(?: name)?[ \t]*(?:[:=]\n?|-)?|(?:name|re|contact|emergency contact|informant|client|resident|referred by|subject)[ \t]*[:=]\n?)[ \t""']*(?-i:" + NameWord + @"(?: [A-Z]\.?)?(?: " + NameWord + @"){1,2}|[A-Z]{2,}(?:[-'][A-Z]+)?,? [A-Z]{2,}(?: [A-Z]\.?)?|[A-Z][a-z]+, [A-Z][a-z]+)(?!\w)", Options, TimeoutMs)]
    internal static partial Regex LabelledName();

    /// <summary>Names after an honorific ("Mr. Smith", "Mrs Jane Doe", "Dr. Patel").</summary>
    [GeneratedRegex(@"(?-i:(?<![\w.])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.? " + NameWord + @"(?: " + NameWord + @")?)(?!\w)", Options, TimeoutMs)]
    internal static partial Regex HonorificName();
}
