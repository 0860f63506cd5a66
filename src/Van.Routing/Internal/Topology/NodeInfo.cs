namespace Van.Routing.Internal.Topology;

/// <summary>
/// One node of the link-state database as a snapshot saw it (for <c>van status</c>). <see cref="Cost"/> is 0 for
/// the local node and -1 when unreachable.
/// </summary>
internal sealed record NodeInfo(
    string NodeId,
    string Site,
    bool Reachable,
    int Cost,
    IReadOnlyDictionary<string, int> Neighbours,
    IReadOnlyDictionary<string, int> Addresses);
