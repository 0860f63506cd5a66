using Van.Routing.Internal.Topology;

namespace Van.Routing.Tests.Topology;

/// <summary>One node of a <see cref="SimulatedNetwork"/>: its protocol, its outgoing control links and its true address set.</summary>
internal sealed class SimulatedNode : IRoutingProtocolOutput
{
    private readonly SimulatedNetwork _network;

    public SimulatedNode(SimulatedNetwork network, string id, long epoch, string site)
    {
        _network = network;
        Id = id;
        Site = site;
        Protocol = new RoutingProtocol(id, site, epoch, this, network.Time, network.Options);
    }

    public string Id { get; }

    public string Site { get; }

    public RoutingProtocol Protocol { get; private set; }

    /// <summary>Per neighbour, messages sent and not yet delivered (FIFO, as on one AMQP link).</summary>
    public Dictionary<string, Queue<ControlMessage>> Outgoing { get; } = new(StringComparer.Ordinal);

    /// <summary>What the node really serves, to check every other node's view against.</summary>
    public Dictionary<string, int> Addresses { get; } = new(StringComparer.Ordinal);

    public int Snapshots { get; private set; }

    /// <summary>Messages sent by earlier instances of this node (before restarts).</summary>
    public long EarlierMessagesSent { get; private set; }

    public void Restart(long epoch)
    {
        EarlierMessagesSent += Protocol.MessagesSent;
        Protocol = new RoutingProtocol(Id, Site, epoch, this, _network.Time, _network.Options);
        Addresses.Clear();
    }

    public void Send(string neighbourId, ControlMessage message) => _network.Enqueue(this, neighbourId, message);

    public void NeighbourLost(string neighbourId, string reason) => _network.OnLost(Id, neighbourId, reason);

    public void SnapshotChanged(RoutingSnapshot snapshot)
    {
        Assert.Same(snapshot, Protocol.Snapshot);
        Snapshots++;
    }
}
