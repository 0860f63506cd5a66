namespace Van;

/// <summary>
/// Export and import policy: which of this node's services other nodes see, which of theirs this node uses, and what
/// plain AMQP clients of this node may reach. Patterns are exact addresses or use '*' for any run of characters
/// (<c>orders</c>, <c>orders.*</c>, <c>*</c>). Null lists mean "everything".
/// </summary>
public sealed class VanPolicyOptions
{
    /// <summary>Local addresses this node advertises to the network; null: all.</summary>
    public IList<string>? Export { get; set; }

    /// <summary>Remote addresses this node routes to; null: all. Others are ignored (and logged).</summary>
    public IList<string>? Import { get; set; }

    /// <summary>Rules per node or site, narrowing the lists above; the first rule that matches a node applies.</summary>
    public IList<VanPeerPolicyOptions> Peers { get; } = [];

    /// <summary>Addresses plain AMQP clients of this node may send to or consume from; null: all. The network's own addresses never are.</summary>
    public IList<string>? ClientAddresses { get; set; }
}
