namespace Van.Routing.Internal.Topology;

/// <summary>What <see cref="RoutingProtocol"/> asks of the node hosting it; called on the node's control loop.</summary>
internal interface IRoutingProtocolOutput
{
    /// <summary>Queues <paramref name="message"/> on that neighbour's control link (in order, reliable while it is up).</summary>
    void Send(string neighbourId, ControlMessage message);

    /// <summary>The protocol declared the neighbour dead (missed hellos); the node closes that connection.</summary>
    void NeighbourLost(string neighbourId, string reason);

    /// <summary>A new immutable snapshot was computed.</summary>
    void SnapshotChanged(RoutingSnapshot snapshot);

    /// <summary>
    /// The import policy made this node ignore <paramref name="address"/> as served by <paramref name="origin"/> (of
    /// <paramref name="site"/>): said once per origin and address.
    /// </summary>
    void AddressIgnored(string origin, string site, string address)
    {
    }
}
