using FsCheck;
using FsCheck.Fluent;

namespace Van.Routing.Tests.Topology;

public class RoutingProtocolConvergenceTests
{
    [Fact]
    public void Drain_RandomGraphsAndLinkChanges_EveryNodeConvergesToShortestPaths() =>
        Prop.ForAll(Gen.Choose(10, 60).Zip(Gen.Choose(0, int.MaxValue)).ToArbitrary(), c =>
        {
            var (nodes, seed) = c;
            RunScenario(nodes, seed, changes: 20);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40));

    [Fact]
    public void Drain_TwoHundredNodes_ConvergesAndReconvergesAfterChanges() => RunScenario(200, seed: 200, changes: 12);

    [Fact]
    public void Drain_EveryMessageThroughTheCodec_Converges() => RunScenario(30, seed: 7, changes: 10, useCodec: true);

    [Fact]
    public void Drain_PartitionThenHeal_SidesForgetEachOtherThenRelearn()
    {
        var net = new SimulatedNetwork(seed: 1);
        var left = Enumerable.Range(0, 6).Select(i => $"l{i}").ToArray();
        var right = Enumerable.Range(0, 6).Select(i => $"r{i}").ToArray();
        foreach (var id in left.Concat(right))
        {
            net.AddNode(id);
            net.SetAddress(id, $"svc-{id}", 10);
        }

        net.SetAddress("l3", "shared", 5);
        net.SetAddress("r4", "shared", 7);
        for (var i = 1; i < 6; i++)
        {
            net.Connect(left[i - 1], left[i], i);
            net.Connect(right[i - 1], right[i], i);
        }

        net.Connect("l0", "r0", 10);
        net.Drain();
        net.AssertConverged();
        Assert.Equal(2, net["l5"].Protocol.Snapshot.GetDestinations("shared").Count);

        net.Disconnect("l0", "r0");
        net.Drain();
        net.AssertConverged();
        Assert.DoesNotContain("svc-r0", net["l5"].Protocol.Snapshot.Addresses);
        Assert.Equal(["l3"], net["l5"].Protocol.Snapshot.GetDestinations("shared").Select(d => d.NodeId));

        // Both sides change while apart; healing over a different link must carry everything across.
        net.RemoveAddress("r4", "shared");
        net.SetAddress("r2", "shared", 1);
        net.SetAddress("l1", "new-left", 3);
        net.Connect("r1", "r5", 1);
        net.Drain();
        net.Connect("l5", "r5", 2);
        net.Drain();
        net.AssertConverged();
        Assert.Equal(["l3", "r2"], net["l0"].Protocol.Snapshot.GetDestinations("shared").Select(d => d.NodeId));
    }

    [Fact]
    public void Drain_NodeRestartsWithNewEpoch_OldRecordsAreSuperseded()
    {
        var net = BuildRing(8, seed: 3);
        for (var i = 0; i < 20; i++)
        {
            net.SetAddress("n0003", $"old-{i}", i);
            net.Drain();
        }

        net.Restart("n0003", epoch: 2);
        net.SetAddress("n0003", "fresh", 1);
        net.Drain();

        net.AssertConverged();
        Assert.Empty(net["n0000"].Protocol.Snapshot.GetDestinations("old-5"));
        var status = net["n0000"].Protocol.Snapshot.Nodes.Single(n => n.NodeId == "n0003");
        Assert.Equal(["fresh"], status.Addresses.Keys);
    }

    [Fact]
    public void Drain_NodeRestartsAndReconnectsInOneBatch_Converges()
    {
        var net = BuildRing(8, seed: 4);
        net.Restart("n0005", epoch: 2);
        net.SetAddress("n0005", "again", 4);
        net.Restart("n0002", epoch: 2, reconnect: false);
        net.Drain();
        net.AssertConverged();

        net.Restart("n0002", epoch: 3);
        net.Drain();
        net.AssertConverged();
    }

    [Fact]
    public void Drain_NodeRestartsWithLowerEpoch_JumpsPastItsOldRecords()
    {
        var net = BuildRing(6, seed: 5, epoch: 50);
        net.SetAddress("n0001", "a", 1);
        net.Drain();

        // The clock stepped back: the new epoch is older than the records the network holds.
        net.Restart("n0001", epoch: 10);
        net.SetAddress("n0001", "b", 2);
        net.Drain();

        net.AssertConverged();
        Assert.Equal(["b"], net["n0004"].Protocol.Snapshot.Nodes.Single(n => n.NodeId == "n0001").Addresses.Keys);
    }

    [Fact]
    public void Recompute_NothingChanged_ReturnsFalseAndPublishesNothing()
    {
        var net = BuildRing(5, seed: 6);
        var node = net["n0002"];
        var before = node.Snapshots;

        Assert.False(node.Protocol.Recompute());
        Assert.Equal(before, node.Snapshots);

        net.SetAddress("n0002", "x", 1);
        Assert.True(node.Protocol.Recompute());
        Assert.Equal(before + 1, node.Snapshots);
        Assert.Equal(node.Protocol.Snapshot.Version, before + 1);
    }

    [Fact]
    public void Snapshot_Initially_HoldsOnlyThisNode()
    {
        var net = new SimulatedNetwork(seed: 0);
        var snapshot = net.AddNode("solo", site: "lab").Protocol.Snapshot;

        Assert.Empty(snapshot.ReachableNodes);
        Assert.Empty(snapshot.Addresses);
        Assert.Empty(snapshot.GetDestinations("anything"));
        Assert.False(snapshot.TryGetRoute("solo", out _, out _));
        var self = Assert.Single(snapshot.Nodes);
        Assert.Equal(("solo", "lab", true, 0), (self.NodeId, self.Site, self.Reachable, self.Cost));
    }

    [Fact]
    public void Snapshot_Nodes_DescribesEveryNodeForStatus()
    {
        var net = BuildRing(4, seed: 8);
        net.SetAddress("n0002", "svc", 9);
        net.Drain();
        net.Disconnect("n0001", "n0002");
        net.Disconnect("n0002", "n0003");
        net.Drain();

        var nodes = net["n0000"].Protocol.Snapshot.Nodes;

        Assert.Equal(["n0000", "n0001", "n0002", "n0003"], nodes.Select(n => n.NodeId));
        var lonely = nodes[2];
        Assert.False(lonely.Reachable);
        Assert.Equal(-1, lonely.Cost);
        Assert.Equal(9, lonely.Addresses["svc"]);
        Assert.True(nodes[1].Reachable);
        Assert.Equal(["n0000"], nodes[1].Neighbours.Keys);
    }

    internal static SimulatedNetwork BuildRing(int nodes, int seed, long epoch = 1)
    {
        var net = new SimulatedNetwork(seed);
        for (var i = 0; i < nodes; i++)
        {
            net.AddNode(TestGraph.Id(i), epoch);
        }

        for (var i = 0; i < nodes; i++)
        {
            net.Connect(TestGraph.Id(i), TestGraph.Id((i + 1) % nodes), 1 + (i % 3));
        }

        net.Drain();
        net.AssertConverged();
        return net;
    }

    /// <summary>
    /// Builds a random connected graph with random addresses, checks convergence, then applies random link
    /// failures and additions, cost changes, address changes and restarts, checking after each batch.
    /// </summary>
    private static void RunScenario(int nodes, int seed, int changes, bool useCodec = false)
    {
        var rng = new Random(seed);
        var net = new SimulatedNetwork(seed) { UseCodec = useCodec };
        var graph = TestGraph.RandomConnected(rng, nodes, nodes / 2, maxCost: 20);
        var epochs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var id in graph.Keys)
        {
            net.AddNode(id, epochs[id] = 1);
            for (var a = rng.Next(3); a > 0; a--)
            {
                net.SetAddress(id, $"svc{rng.Next(20)}", rng.Next(1, 100));
            }
        }

        var edges = graph.SelectMany(kv => kv.Value.Where(n => string.CompareOrdinal(kv.Key, n.Key) < 0).Select(n => (kv.Key, n.Key, n.Value))).ToList();
        foreach (var (a, b, cost) in edges.OrderBy(_ => rng.Next()))
        {
            net.Connect(a, b, cost);
            if (rng.Next((edges.Count / 8) + 1) == 0)
            {
                net.Drain();
            }
        }

        net.Drain();
        net.AssertConverged();

        // Addresses set after joining travel as incremental updates.
        foreach (var id in graph.Keys.Where(_ => rng.Next(2) == 0))
        {
            net.SetAddress(id, $"svc{rng.Next(20)}", rng.Next(1, 100));
        }

        net.Drain();
        net.AssertConverged();

        var ids = graph.Keys.ToArray();
        for (var step = 0; step < changes; step++)
        {
            var links = net.Links.ToList();
            var roll = rng.Next(100);
            if (roll < 30 && links.Count > 0)
            {
                var (a, b, _) = links[rng.Next(links.Count)];
                net.Disconnect(a, b);
            }
            else if (roll < 60)
            {
                var a = ids[rng.Next(ids.Length)];
                var b = ids[rng.Next(ids.Length)];
                if (a != b)
                {
                    net.Connect(a, b, rng.Next(1, 21));
                }
            }
            else if (roll < 68 && links.Count > 0)
            {
                var (a, b, _) = links[rng.Next(links.Count)];
                net.Connect(a, b, rng.Next(1, 21));
            }
            else if (roll < 82)
            {
                net.SetAddress(ids[rng.Next(ids.Length)], $"svc{rng.Next(20)}", rng.Next(0, 100));
            }
            else if (roll < 94)
            {
                var id = ids[rng.Next(ids.Length)];
                var owned = net[id].Addresses.Keys.ToList();
                if (owned.Count > 0)
                {
                    net.RemoveAddress(id, owned[rng.Next(owned.Count)]);
                }
            }
            else
            {
                var id = ids[rng.Next(ids.Length)];
                net.Restart(id, ++epochs[id]);
                net.SetAddress(id, $"svc{rng.Next(20)}", rng.Next(1, 100));
            }

            if (rng.Next(3) == 0 || step == changes - 1)
            {
                net.Drain();
                net.AssertConverged();
            }
        }
    }
}
