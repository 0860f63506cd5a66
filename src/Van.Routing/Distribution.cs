namespace Van.Routing;

/// <summary>How a node spreads the messages sent to one address over the consumers that serve it.</summary>
public enum Distribution
{
    /// <summary>
    /// One consumer per message: local consumers first, then the nodes at the lowest path cost (equal costs take
    /// turns). A destination without capacity is skipped, so saturated cheap capacity overflows to the next tier.
    /// </summary>
    Closest,

    /// <summary>One consumer per message: the one with the fewest outstanding deliveries plus path cost.</summary>
    Balanced,

    /// <summary>Every consumer once, along the shortest-path tree; at most once (copies travel pre-settled).</summary>
    Multicast,
}
