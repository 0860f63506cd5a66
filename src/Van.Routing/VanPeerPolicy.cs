namespace Van.Routing;

/// <summary>
/// What a node shares with, and takes from, the nodes one rule matches (see <see cref="VanPolicy"/>). Address patterns:
/// exact names, or '*' for any run of characters ("orders", "orders.*", "*").
/// </summary>
/// <remarks>
/// For the nodes it matches (and that no earlier rule matched) a rule's lists replace the node-wide
/// <see cref="VanPolicy.Export"/> and <see cref="VanPolicy.Import"/>. Both default to all ("*"), so a rule meant to
/// narrow only imports also widens exports back to all unless it lists them too.
/// </remarks>
public sealed class VanPeerPolicy
{
    /// <summary>Which nodes this rule covers: a pattern matched against a node's id and its site (either may match). Default "*" (every node).</summary>
    public string Match { get; set; } = "*";

    /// <summary>Local addresses the matched nodes may use (advertised to them, and accepted from their clients); default all.</summary>
    public IList<string> Export { get; } = ["*"];

    /// <summary>Remote addresses used when the matched nodes serve them; others are ignored (and logged once). Default all.</summary>
    public IList<string> Import { get; } = ["*"];
}
