namespace Van;

/// <summary>What this node shares with, and takes from, the nodes one rule matches (by node id or site).</summary>
public sealed class VanPeerPolicyOptions
{
    /// <summary>A node id or site name the rule covers; '*' matches any run of characters.</summary>
    public string Match { get; set; } = "*";

    /// <summary>Local addresses advertised to the matched nodes; null: the node-wide <see cref="VanPolicyOptions.Export"/>.</summary>
    public IList<string>? Export { get; set; }

    /// <summary>Remote addresses accepted from the matched nodes; null: the node-wide <see cref="VanPolicyOptions.Import"/>.</summary>
    public IList<string>? Import { get; set; }
}
