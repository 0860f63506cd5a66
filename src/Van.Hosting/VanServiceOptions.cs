using Van.Routing;

namespace Van;

/// <summary>Options for one address: how the network distributes calls to it, and how many this process serves at once.</summary>
public sealed class VanServiceOptions
{
    /// <summary>
    /// How messages this node sends to the address (and to addresses starting with it) pick their consumers: closest
    /// (default: cheapest instance with capacity, overflowing to the next cost tier), balanced, or multicast.
    /// </summary>
    public Distribution Distribution { get; set; } = Distribution.Closest;

    /// <summary>
    /// Handlers of this address running at once in this process (default: <see cref="VanOptions.DefaultMaxConcurrency"/>).
    /// Other nodes see it as credit: calls beyond it go to other instances, or wait here when no other has room.
    /// </summary>
    public int? MaxConcurrency { get; set; }
}
