namespace Van.Routing.Internal;

/// <summary>
/// Patterns of <see cref="VanPolicy"/>: an exact name, or one with '*' standing for any run of characters (none
/// included): "orders", "orders.*", "*-eu", "*". Nothing else is special. Matching allocates nothing.
/// </summary>
internal static class AddressPattern
{
    /// <summary>Whether <paramref name="pattern"/> matches the whole of <paramref name="text"/> (ordinal).</summary>
    /// <remarks>
    /// Greedy, backtracking only to the last '*' seen: a star never has to give back what a later star can take, so
    /// this is O(pattern × text) at worst and linear for the usual one-star patterns.
    /// </remarks>
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        var p = 0;
        var t = 0;
        var star = -1;
        var mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                // Let the last star take one more character and try the rest again from there.
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Whether a node pattern (a rule's <see cref="VanPeerPolicy.Match"/>) matches a node's id or its site.</summary>
    public static bool MatchesNode(ReadOnlySpan<char> pattern, string nodeId, string? site) =>
        IsMatch(pattern, nodeId) || (site is not null && IsMatch(pattern, site));
}
