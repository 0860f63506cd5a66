using Van.Routing.Internal.Topology;
using Van.Routing.Tests.Topology;

namespace Van.Routing.Tests.Security;

/// <summary>Export audiences and import filters in the routing protocol itself (simulated network, through the codec).</summary>
public class PolicyProtocolTests
{
    /// <summary>A(west) — B(hub) — C(east), records through the AMQP codec as on the wire.</summary>
    private static SimulatedNetwork Line(Action<VanPolicy>? a = null, Action<VanPolicy>? b = null, Action<VanPolicy>? c = null)
    {
        var net = new SimulatedNetwork(seed: 7) { UseCodec = true };
        foreach (var (id, site, configure) in new[] { ("A", "west", a), ("B", "hub", b), ("C", "east", c) })
        {
            var node = net.AddNode(id, site: site);
            var policy = new VanPolicy();
            configure?.Invoke(policy);
            node.Protocol.Policy = new PolicyRules(policy, id, site);
        }

        net.Connect("A", "B", 1);
        net.Connect("B", "C", 1);
        return net;
    }

    private static IEnumerable<string> Serving(SimulatedNetwork net, string node, string address) =>
        net[node].Protocol.Snapshot.GetDestinations(address).Select(d => d.NodeId);

    [Fact]
    public void NodeWideExport_AddressNotListed_IsNotAdvertisedAtAll()
    {
        var net = Line(a: p =>
        {
            p.Export.Clear();
            p.Export.Add("public");
        });
        net.SetAddress("A", "public", 5);
        net.SetAddress("A", "secret", 5);
        net.Drain();

        Assert.Equal(["A"], Serving(net, "C", "public"));
        Assert.Empty(Serving(net, "C", "secret"));
        Assert.Empty(Serving(net, "B", "secret"));
        Assert.DoesNotContain("secret", net["C"].Protocol.Snapshot.Nodes.Single(n => n.NodeId == "A").Addresses.Keys);
    }

    [Fact]
    public void PerSiteExport_RelaysCarryTheAudience_AndOnlyTheAudienceUsesTheAddress()
    {
        var net = Line(a: p =>
        {
            p.Export.Clear();
            p.Export.Add("public");
            var hub = new VanPeerPolicy { Match = "hub" };
            hub.Export.Clear();
            hub.Export.Add("orders");
            p.Peers.Add(hub);
        });
        net.SetAddress("A", "orders", 5);
        net.SetAddress("A", "public", 5);
        net.Drain();

        Assert.Equal(["A"], Serving(net, "B", "orders"));
        Assert.Empty(Serving(net, "C", "orders"));
        Assert.Equal(["A"], Serving(net, "C", "public"));

        // A, which checks the ingress of what it is sent, knows every node's site.
        Assert.True(net["A"].Protocol.Snapshot.TryGetSite("C", out var site));
        Assert.Equal("east", site);

        // B relayed A's record as it is: C holds the address, with the audience that leaves C out.
        var record = net["C"].Protocol.Snapshot.Nodes.Single(n => n.NodeId == "A");
        Assert.Contains("orders", record.Addresses.Keys);

        // An incremental change (capacity) keeps the audience.
        net.SetAddress("A", "orders", 9);
        net.Drain();
        Assert.Equal(9, net["B"].Protocol.Snapshot.GetDestinations("orders").Single().Capacity);
        Assert.Empty(Serving(net, "C", "orders"));
    }

    [Fact]
    public void Import_RuleForTheOriginsSite_HidesItsAddressFromThatOriginOnly()
    {
        var net = Line(c: p =>
        {
            var west = new VanPeerPolicy { Match = "west" };
            west.Import.Clear();
            west.Import.Add("public");
            p.Peers.Add(west);
        });
        net.SetAddress("A", "orders", 5);
        net.SetAddress("A", "public", 5);
        net.SetAddress("B", "orders", 5);
        net.Drain();

        Assert.Equal(["B"], Serving(net, "C", "orders"));
        Assert.Equal(["A"], Serving(net, "C", "public"));
        Assert.Equal(["A"], Serving(net, "B", "orders").Where(n => n == "A"));

        net.SetAddress("A", "orders", 6);
        net.Drain();

        Assert.Equal(["B"], Serving(net, "C", "orders"));
        Assert.Contains("A", Serving(net, "B", "orders"));
    }

    [Fact]
    public void Import_AddressRecordBeforeTheOriginsSiteIsKnown_IsDecidedWhenTheSiteArrives()
    {
        var output = new Ignoring();
        var time = new Van.Routing.Tests.Topology.ManualTimeProvider();
        var c = new RoutingProtocol("C", "east", 1, output, time, new RoutingProtocolOptions());
        var policy = new VanPolicy();
        var west = new VanPeerPolicy { Match = "west" };
        west.Import.Clear();
        policy.Peers.Add(west);
        c.Policy = new PolicyRules(policy, "C", "east");
        c.NeighbourUp("B", 1);
        c.Recompute();

        // A's addresses arrive before its link-state record: A has no route yet, and no site to judge by.
        c.OnControlMessage("B", new LinkStateMessage("B", 1, 1, "hub", new Dictionary<string, int> { ["C"] = 1, ["A"] = 1 }));
        c.OnControlMessage("B", new AddressMessage("A", 1, 1, true, new Dictionary<string, int> { ["orders"] = 3 }, []));
        c.Recompute();
        Assert.Empty(output.Ignored);

        c.OnControlMessage("B", new LinkStateMessage("A", 1, 1, "west", new Dictionary<string, int> { ["B"] = 1 }));
        c.Recompute();

        Assert.True(c.Snapshot.TryGetRoute("A", out _, out _));
        Assert.Empty(c.Snapshot.GetDestinations("orders"));
        Assert.Equal([("A", "west", "orders")], output.Ignored);

        // Said once per origin and address, however often the record changes.
        c.OnControlMessage("B", new AddressMessage("A", 1, 2, false, new Dictionary<string, int> { ["orders"] = 4, ["more"] = 1 }, []));
        c.Recompute();
        Assert.Equal([("A", "west", "orders"), ("A", "west", "more")], output.Ignored);

        // A moves to another site (restarted elsewhere under the same id): judged again.
        c.OnControlMessage("B", new LinkStateMessage("A", 1, 2, "north", new Dictionary<string, int> { ["B"] = 1 }));
        c.Recompute();
        Assert.Equal(["A"], c.Snapshot.GetDestinations("orders").Select(d => d.NodeId));
    }

    [Fact]
    public void DefaultPolicy_AddressRecordsCarryNoAudience()
    {
        var sent = new List<(string To, ControlMessage Message)>();
        var a = new RoutingProtocol("A", "west", 1, new RecordingOutput(sent), new Van.Routing.Tests.Topology.ManualTimeProvider(), new RoutingProtocolOptions());
        a.NeighbourUp("B", 1);
        a.SetLocalAddress("orders", 1);
        a.Recompute();

        var records = sent.Select(s => s.Message).OfType<AddressMessage>().Where(m => m.Origin == "A").ToList();
        Assert.NotEmpty(records);
        Assert.All(records, r => Assert.Empty(r.Audiences));
    }

    private sealed class Ignoring : IRoutingProtocolOutput
    {
        public List<(string Origin, string Site, string Address)> Ignored { get; } = [];

        public void Send(string neighbourId, ControlMessage message)
        {
        }

        public void NeighbourLost(string neighbourId, string reason)
        {
        }

        public void SnapshotChanged(RoutingSnapshot snapshot)
        {
        }

        public void AddressIgnored(string origin, string site, string address) => Ignored.Add((origin, site, address));
    }
}
