using FsCheck;
using FsCheck.Fluent;
using Van.Routing.Internal.Topology;

namespace Van.Routing.Tests.Topology;

public class RouteComputerTests
{
    [Fact]
    public void Compute_RandomConnectedGraphs_GivesShortestLoopFreeRoutes()
    {
        var cases = Gen.Choose(1, 200).Zip(Gen.Choose(0, int.MaxValue));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (nodes, seed) = c;
            var rng = new Random(seed);
            var graph = TestGraph.RandomConnected(rng, nodes, rng.Next(0, nodes * 2), maxCost: 20);
            CheckShortestAndLoopFree(graph);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60));
    }

    [Fact]
    public void Compute_ManyEqualCostPaths_PicksSmallestNextHopAndStaysLoopFree()
    {
        // Costs of 1 and 2 only make ties common, which is where next-hop choices can disagree.
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            var nodes = rng.Next(2, 80);
            CheckShortestAndLoopFree(TestGraph.RandomConnected(rng, nodes, nodes * 2, maxCost: 2));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100));
    }

    [Fact]
    public void Compute_EdgeListedByOneSideOnly_IsNotUsed()
    {
        var lsdb = Lsdb(("a", new() { ["b"] = 1, ["c"] = 5 }), ("b", new() { ["c"] = 1 }), ("c", new() { ["a"] = 5, ["b"] = 1 }));

        var routes = RouteComputer.Compute("a", lsdb);

        // b does not list a, so a reaches b only through c.
        Assert.Equal(("c", 5), routes["c"]);
        Assert.Equal(("c", 6), routes["b"]);
    }

    [Fact]
    public void Compute_SidesAdvertiseDifferentCosts_UsesTheLarger()
    {
        var lsdb = Lsdb(("a", new() { ["b"] = 1 }), ("b", new() { ["a"] = 7 }));

        Assert.Equal(("b", 7), RouteComputer.Compute("a", lsdb)["b"]);
        Assert.Equal(("a", 7), RouteComputer.Compute("b", lsdb)["a"]);
    }

    [Fact]
    public void Compute_NodeWithoutRecordOrUnreachable_IsLeftOut()
    {
        var lsdb = Lsdb(("a", new() { ["b"] = 1, ["ghost"] = 1 }), ("b", new() { ["a"] = 1 }), ("island", new()));

        var routes = RouteComputer.Compute("a", lsdb);

        Assert.Equal(["b"], routes.Keys);
        Assert.Empty(RouteComputer.Compute("nobody", lsdb));
    }

    [Fact]
    public void Compute_InvalidCostsAndSelfLoops_AreIgnored()
    {
        var lsdb = Lsdb(("a", new() { ["a"] = 1, ["b"] = 0, ["c"] = 3 }), ("b", new() { ["a"] = 0 }), ("c", new() { ["a"] = 3 }));

        Assert.Equal(["c"], RouteComputer.Compute("a", lsdb).Keys);
    }

    [Fact]
    public void Compute_HugeCosts_SaturateInsteadOfOverflowing()
    {
        var lsdb = Lsdb(
            ("a", new() { ["b"] = int.MaxValue }),
            ("b", new() { ["a"] = int.MaxValue, ["c"] = int.MaxValue }),
            ("c", new() { ["b"] = int.MaxValue }));

        Assert.Equal(("b", int.MaxValue), RouteComputer.Compute("a", lsdb)["c"]);
    }

    private static Dictionary<string, IReadOnlyDictionary<string, int>> Lsdb(params (string Id, Dictionary<string, int> Links)[] records) =>
        records.ToDictionary(r => r.Id, r => (IReadOnlyDictionary<string, int>)r.Links, StringComparer.Ordinal);

    private static void CheckShortestAndLoopFree(Dictionary<string, Dictionary<string, int>> graph)
    {
        var lsdb = TestGraph.AsLsdb(graph);
        var (ids, index, dist) = TestGraph.AllPairs(graph);
        var all = ids.ToDictionary(id => id, id => RouteComputer.Compute(id, lsdb), StringComparer.Ordinal);
        foreach (var self in ids)
        {
            var s = index[self];
            var routes = all[self];
            foreach (var dest in ids)
            {
                var d = index[dest];
                if (dest == self || dist[s, d] == long.MaxValue)
                {
                    Assert.False(routes.ContainsKey(dest), $"{self} has a route to {dest}");
                    continue;
                }

                var (nextHop, cost) = routes[dest];
                Assert.Equal(dist[s, d], cost);
                Assert.True(graph[self].TryGetValue(nextHop, out var firstCost), $"{self}->{dest}: next hop {nextHop} is not a neighbour");
                Assert.Equal(dist[s, d], firstCost + dist[index[nextHop], d]);

                // The tie-break: the ordinally smallest neighbour that starts some shortest path.
                var best = graph[self]
                    .Where(n => n.Value + dist[index[n.Key], d] == dist[s, d])
                    .Select(n => n.Key)
                    .Min(StringComparer.Ordinal);
                Assert.Equal(best, nextHop);

                var at = self;
                var visited = new HashSet<string>(StringComparer.Ordinal) { at };
                while (at != dest)
                {
                    at = all[at][dest].NextHop;
                    Assert.True(visited.Add(at), $"{self}->{dest} loops at {at}");
                }
            }
        }
    }
}
