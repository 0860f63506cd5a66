namespace Van.Routing.Internal.Topology;

/// <summary>Timing of <see cref="RoutingProtocol"/>.</summary>
internal sealed class RoutingProtocolOptions
{
    /// <summary>
    /// How often a HELLO goes to each neighbour (default 1 s). Shorter detects silent failures sooner at the cost of
    /// control traffic on every link.
    /// </summary>
    public TimeSpan HelloInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A neighbour is dead after this many hello intervals with no control message from it (default 3). Lower
    /// values risk dropping a healthy but briefly stalled neighbour, which floods the network twice.
    /// </summary>
    public int DeadAfterMissedHellos { get; set; } = 3;

    /// <summary>
    /// Records of nodes unreachable for longer than this are forgotten (default 60 s), bounding the database after
    /// nodes leave for good. Too short and a briefly partitioned network resyncs everything on healing anyway.
    /// </summary>
    public TimeSpan PurgeUnreachableAfter { get; set; } = TimeSpan.FromSeconds(60);
}
