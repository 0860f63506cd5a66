using Van.Routing.Internal.Topology;

namespace Van.Routing.Internal;

internal enum ControlEventKind
{
    NeighbourUp,
    NeighbourDown,
    Message,
    AddressChanged,
    Tick,
}

/// <summary>Something the control loop must handle; all routing-protocol state changes go through it, in order.</summary>
internal readonly record struct ControlEvent(ControlEventKind Kind, RouterConnection? Connection = null, ControlMessage? Message = null, string? Address = null, int Capacity = 0);
