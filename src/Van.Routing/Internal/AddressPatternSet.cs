using System.Collections.Frozen;

namespace Van.Routing.Internal;

/// <summary>
/// A list of <see cref="AddressPattern"/>s compiled once: "*" makes it match everything (one flag test), exact names
/// are one hash lookup, and only patterns with a '*' are matched one by one. Immutable; matching allocates nothing.
/// </summary>
internal sealed class AddressPatternSet
{
    private readonly FrozenSet<string> _exact;
    private readonly string[] _wildcards;

    private AddressPatternSet(bool matchesAll, FrozenSet<string> exact, string[] wildcards, string[] patterns)
    {
        MatchesAll = matchesAll;
        _exact = exact;
        _wildcards = wildcards;
        Patterns = patterns;
    }

    /// <summary>Matches every address ("*").</summary>
    public static AddressPatternSet All { get; } = Compile(["*"]);

    /// <summary>Matches nothing (an empty list).</summary>
    public static AddressPatternSet None { get; } = Compile([]);

    /// <summary>One of the patterns is "*" (or only stars).</summary>
    public bool MatchesAll { get; }

    /// <summary>The patterns as given (for logs).</summary>
    public IReadOnlyList<string> Patterns { get; }

    public static AddressPatternSet Compile(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var given = patterns.ToArray();
        var all = given.Any(p => p.Length > 0 && p.AsSpan().IndexOfAnyExcept('*') < 0);
        var exact = given.Where(p => !p.Contains('*', StringComparison.Ordinal)).ToFrozenSet(StringComparer.Ordinal);
        var wildcards = given.Where(p => p.Contains('*', StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToArray();
        return new AddressPatternSet(all, exact, all ? [] : wildcards, given);
    }

    public bool IsMatch(string text)
    {
        if (MatchesAll || _exact.Contains(text))
        {
            return true;
        }

        foreach (var pattern in _wildcards)
        {
            if (AddressPattern.IsMatch(pattern, text))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Patterns.Count == 0 ? "(none)" : string.Join(",", Patterns);
}
