using Van.Routing.Internal.Topology;

namespace Van.Routing.Tests.Topology;

public class RoutingProtocolRepairTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void OnControlMessage_IncrementalAfterALostOne_RequestsFullSetAndConverges()
    {
        var net = Line("a", "b", "c");
        var lost = 0;
        net.Drop = (from, to, m) => from == "a" && to == "b" && m is AddressMessage { Full: false } && lost++ == 0;
        net.SetAddress("a", "first", 1);
        net.Drain();
        Assert.Equal(1, lost);
        Assert.Empty(net["c"].Protocol.Snapshot.GetDestinations("first"));

        var requests = new List<(string From, string To, AddressRequest Request)>();
        net.Drop = (from, to, m) =>
        {
            if (m is AddressRequest r)
            {
                requests.Add((from, to, r));
            }

            return false;
        };
        net.SetAddress("a", "second", 2);
        net.Drain();

        var request = Assert.Single(requests);
        Assert.Equal(("b", "a", "a"), (request.From, request.To, request.Request.Origin));
        net.AssertConverged();
        Assert.Equal(["first", "second"], net["c"].Protocol.Snapshot.Addresses.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void OnControlMessage_IncrementalForUnknownOrigin_IsRequestedOnceAndNotForwarded()
    {
        var sent = new List<(string To, ControlMessage Message)>();
        var protocol = Standalone("b", sent);
        protocol.NeighbourUp("a", 1);
        protocol.NeighbourUp("c", 1);
        protocol.Recompute();
        sent.Clear();

        protocol.OnControlMessage("a", new AddressMessage("z", 1, 5, full: false, new Dictionary<string, int> { ["x"] = 1 }, []));
        protocol.OnControlMessage("a", new AddressMessage("z", 1, 6, full: false, new Dictionary<string, int> { ["y"] = 1 }, []));

        var (to, message) = Assert.Single(sent);
        Assert.Equal("a", to);
        Assert.Equal("z", Assert.IsType<AddressRequest>(message).Origin);

        protocol.OnControlMessage("a", new AddressMessage("z", 1, 6, full: true, new Dictionary<string, int> { ["x"] = 1, ["y"] = 1 }, []));
        Assert.Contains(sent, s => s.To == "c" && s.Message is AddressMessage { Full: true, Origin: "z" });
    }

    [Fact]
    public void Tick_HelloShowsANewerRecordThanStored_RequestsAndRepairs()
    {
        var net = Line("a", "b", "c");
        var seen = 0;
        net.Drop = (from, to, m) => from == "a" && to == "b" && m is LinkStateMessage && seen++ == 0;
        net.AddNode("d");
        net.Connect("a", "d", 4);
        net.Drain();
        Assert.True(seen > 1, "a's own record is lost, d's record still reaches b");
        Assert.False(net["c"].Protocol.Snapshot.TryGetRoute("d", out _, out _));

        net.Drop = null;
        net.Time.Advance(Second);
        net.TickAll();
        net.Drain();

        net.AssertConverged();
        Assert.True(net["c"].Protocol.Snapshot.TryGetRoute("d", out var via, out var cost));
        Assert.Equal(("b", 6), (via, cost));
    }

    [Fact]
    public void Tick_LinkStateNamesAnUnknownNode_RequestsItFromTheNeighbourThatNamedIt()
    {
        var sent = new List<(string To, ControlMessage Message)>();
        var protocol = Standalone("b", sent);
        protocol.NeighbourUp("a", 1);
        protocol.Recompute();
        sent.Clear();

        protocol.OnControlMessage("a", new LinkStateMessage("a", 1, 9, "s", new Dictionary<string, int> { ["b"] = 1, ["z"] = 2 }));
        Assert.DoesNotContain(sent, s => s.Message is LinkStateRequest);
        protocol.Tick();

        Assert.Contains(sent, s => s.To == "a" && s.Message is LinkStateRequest { Origin: "z" });
    }

    [Fact]
    public void OnControlMessage_Requests_AreAnsweredWithStoredRecords()
    {
        var net = Line("a", "b", "c");
        var sent = new List<(string To, ControlMessage Message)>();
        var b = net["b"].Protocol;
        net.Drop = (from, to, m) =>
        {
            if (from == "b")
            {
                sent.Add((to, m));
            }

            return true;
        };

        b.OnControlMessage("a", new LinkStateRequest("c"));
        b.OnControlMessage("a", new AddressRequest("c"));
        b.OnControlMessage("a", new LinkStateRequest(""));
        b.OnControlMessage("a", new LinkStateRequest("nobody"));

        Assert.Equal(2 + 3, sent.Count);
        Assert.IsType<LinkStateMessage>(sent[0].Message);
        Assert.Equal("c", ((LinkStateMessage)sent[0].Message).Origin);
        Assert.True(((AddressMessage)sent[1].Message).Full);
        Assert.All(sent, s => Assert.Equal("a", s.To));
    }

    [Fact]
    public void Tick_NeighbourSilentForThreeIntervals_IsDeclaredLostAndRoutesThroughItVanish()
    {
        var net = Line("a", "b", "c");
        for (var i = 0; i < 5; i++)
        {
            net.Time.Advance(Second);
            net.TickAll();
            net.Drain();
        }

        Assert.Empty(net.Lost);

        // b's process hangs: nothing more from it reaches a, though the connection stays open.
        net.Drop = (from, to, _) => from == "b" && to == "a";
        for (var i = 0; i < 3; i++)
        {
            net.Time.Advance(Second);
            net.TickAll();
            net.Drain();
        }

        Assert.Empty(net.Lost);
        net.Time.Advance(TimeSpan.FromMilliseconds(1));
        net.TickAll();
        net.Drain();

        var (node, neighbour, reason) = Assert.Single(net.Lost);
        Assert.Equal(("a", "b"), (node, neighbour));
        Assert.Contains("hello", reason, StringComparison.Ordinal);
        Assert.Empty(net["a"].Protocol.Snapshot.ReachableNodes);
        Assert.False(net["c"].Protocol.Snapshot.TryGetRoute("a", out _, out _));
        net.AssertConverged();
    }

    [Fact]
    public void Tick_AnyControlMessage_CountsAsProofOfLife()
    {
        var sent = new List<(string To, ControlMessage Message)>();
        var time = new ManualTimeProvider();
        var lost = 0;
        var output = new RecordingOutput(sent) { Lost = () => lost++ };
        var protocol = new RoutingProtocol("a", "s", 1, output, time, new RoutingProtocolOptions());
        protocol.NeighbourUp("b", 1);
        protocol.Recompute();
        for (var i = 0; i < 10; i++)
        {
            time.Advance(Second);
            protocol.OnControlMessage("b", new LinkStateRequest("nobody"));
            protocol.Tick();
        }

        Assert.Equal(0, lost);
        Assert.Equal(10, sent.Count(s => s.Message is HelloMessage));
    }

    [Fact]
    public void Tick_NodesUnreachableForAMinute_ArePurged()
    {
        var net = Line("a", "b", "c");
        net.Disconnect("b", "c");
        net.Drain();
        Assert.Contains(net["a"].Protocol.Snapshot.Nodes, n => n.NodeId == "c" && !n.Reachable);

        for (var i = 0; i < 61; i++)
        {
            net.Time.Advance(Second);
            net.TickAll();
            net.Drain();
        }

        Assert.Equal(["a", "b"], net["a"].Protocol.Snapshot.Nodes.Select(n => n.NodeId));

        net.Connect("b", "c", 1);
        net.Drain();
        net.AssertConverged();
    }

    [Fact]
    public void OnControlMessage_FromNodeNotANeighbour_IsIgnored()
    {
        var sent = new List<(string To, ControlMessage Message)>();
        var protocol = Standalone("a", sent);

        protocol.OnControlMessage("x", new LinkStateMessage("x", 1, 1, "s", new Dictionary<string, int> { ["a"] = 1 }));
        protocol.OnControlMessage("x", new LinkStateRequest(""));

        Assert.Empty(sent);
        Assert.False(protocol.Recompute());
    }

    [Fact]
    public void SetLocalAddress_SeveralChangesInOneBatch_FloodOneIncrementalUpdate()
    {
        var net = Line("a", "b");
        var updates = new List<AddressMessage>();
        net.Drop = (from, _, m) =>
        {
            if (from == "a" && m is AddressMessage am)
            {
                updates.Add(am);
            }

            return false;
        };

        net.SetAddress("a", "x", 1);
        net.SetAddress("a", "y", 1);
        net.SetAddress("a", "x", 2);
        net.RemoveAddress("a", "y");
        net.Drain();

        var update = Assert.Single(updates);
        Assert.False(update.Full);
        Assert.Equal(new Dictionary<string, int> { ["x"] = 2 }, update.Added);
        Assert.Empty(update.Removed);
        net.AssertConverged();
    }

    private static SimulatedNetwork Line(params string[] ids)
    {
        var net = new SimulatedNetwork(seed: 42);
        foreach (var id in ids)
        {
            net.AddNode(id);
        }

        for (var i = 1; i < ids.Length; i++)
        {
            net.Connect(ids[i - 1], ids[i], 1);
        }

        net.Drain();
        net.AssertConverged();
        return net;
    }

    private static RoutingProtocol Standalone(string id, List<(string To, ControlMessage Message)> sent) =>
        new(id, "s", 1, new RecordingOutput(sent), new ManualTimeProvider(), new RoutingProtocolOptions());
}
