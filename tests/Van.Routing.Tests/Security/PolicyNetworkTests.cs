using System.Diagnostics;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Routing.Tests.Network;
using static Van.Routing.Tests.Security.PolicyTestNetwork;

namespace Van.Routing.Tests.Security;

/// <summary>
/// Export and import policy across three real nodes on TCP: A (site west) — B (site hub) — C (site east), each with
/// echo services on A.
/// </summary>
public class PolicyNetworkTests
{
    /// <summary>Well under <see cref="PolicyTestNetwork.RerouteTimeout"/>: a no-route answer that waited for routes would not make it.</summary>
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(5);

    private static async Task AssertNoRouteFastAsync(VanRouter from, string address)
    {
        using var caller = new TestCaller(from);
        var clock = Stopwatch.StartNew();
        var (outcome, _) = await caller.RequestAsync(address, "hello");
        clock.Stop();

        var rejected = Assert.IsType<Rejected>(outcome);
        Assert.Equal(VanErrors.NoRoute, rejected.Error!.Condition);
        Assert.True(clock.Elapsed < Fast, $"no-route took {clock.Elapsed}, not well under the reroute timeout {RerouteTimeout}");
    }

    private static void ExportOnly(VanPolicy policy, params string[] addresses)
    {
        policy.Export.Clear();
        foreach (var address in addresses)
        {
            policy.Export.Add(address);
        }
    }

    [Fact]
    public async Task NodeWideExport_UnexportedService_IsInvisibleOnTheOtherSite_ExportedOneWorks()
    {
        await using var net = await ThreeSitesAsync(a: o => ExportOnly(o.Policy, "public"));
        var (a, b, c) = (net.Nodes["A"], net.Nodes["B"], net.Nodes["C"]);
        using var secret = TestNetwork.Echo(a, "secret");
        using var open = TestNetwork.Echo(a, "public");
        await WaitUntilAsync(() => c.NodesServing("public").Contains("A") && b.NodesServing("public").Contains("A"), "B and C to learn of A's public service");

        Assert.Empty(c.NodesServing("secret"));
        Assert.Empty(b.NodesServing("secret"));
        await AssertNoRouteFastAsync(c, "secret");
        using (var fromC = new TestCaller(c))
        {
            Assert.Equal("A", await fromC.CallAsync("public"));
        }

        // Not exported is not gone: A's own callers still reach it.
        using (var fromA = new TestCaller(a))
        {
            Assert.Equal("A", await fromA.CallAsync("secret"));
        }

        // A message forged to reach it anyway (a connection claiming to be a node, into B's data link, as if C were its
        // ingress) goes through B, which only forwards, and is refused at A.
        var forger = await net.ConnectAsync("B", claimNodeId: "X");
        var data = await forger.OpenSenderAsync("d", "_van/data", SenderSettleMode.Mixed).WaitAsync(Deadline);
        var refused = Assert.IsType<Rejected>(await data.SendAsync(Message("secret", "sneak", annotations: Routed("secret", "A", "C")), settled: false).WaitAsync(Deadline));
        Assert.Equal(ErrorCondition.UnauthorizedAccess, refused.Error!.Condition);
        Assert.Contains("'secret'", refused.Error.Description, StringComparison.Ordinal);
        Assert.IsType<Accepted>(await data.SendAsync(Message("public", "fine", annotations: Routed("public", "A", "C")), settled: false).WaitAsync(Deadline));
    }

    private static void OrdersToHubOnly(VanPolicy policy)
    {
        ExportOnly(policy, "public");
        var hub = new VanPeerPolicy { Match = "hub" };
        hub.Export.Clear();
        hub.Export.Add("orders");
        hub.Export.Add("public");
        policy.Peers.Add(hub);
    }

    [Fact]
    public async Task PerSiteExport_OrdersToHubOnly_EastHasNoRoute_HubDoes_AndAForgedIngressIsRefusedAtA()
    {
        await using var net = await ThreeSitesAsync(a: o => OrdersToHubOnly(o.Policy));
        var (a, b, c) = (net.Nodes["A"], net.Nodes["B"], net.Nodes["C"]);
        using var orders = TestNetwork.Echo(a, "orders");
        using var open = TestNetwork.Echo(a, "public");
        await WaitUntilAsync(() => b.NodesServing("orders").Contains("A") && c.NodesServing("public").Contains("A"), "B to learn of orders and C of public");

        Assert.Empty(c.NodesServing("orders"));
        await AssertNoRouteFastAsync(c, "orders");
        using (var fromB = new TestCaller(b))
        {
            Assert.Equal("A", await fromB.CallAsync("orders"));
        }

        using (var fromC = new TestCaller(c))
        {
            Assert.Equal("A", await fromC.CallAsync("public"));
        }

        // C's clients get the same fast answer.
        var client = await net.ConnectAsync("C");
        var relay = await client.OpenSenderAsync("p", null).WaitAsync(Deadline);
        var noRoute = Assert.IsType<Rejected>(await relay.SendAsync(Message("orders", "x")).WaitAsync(Deadline));
        Assert.Equal(VanErrors.NoRoute, noRoute.Error!.Condition);

        // Forged into B's data link: A judges by the ingress (the first node of the trace), not by who hands it over.
        var forger = await net.ConnectAsync("B", claimNodeId: "X");
        var data = await forger.OpenSenderAsync("d", "_van/data", SenderSettleMode.Mixed).WaitAsync(Deadline);
        var refused = Assert.IsType<Rejected>(await data.SendAsync(Message("orders", "sneak", annotations: Routed("orders", "A", "C")), settled: false).WaitAsync(Deadline));
        Assert.Equal(ErrorCondition.UnauthorizedAccess, refused.Error!.Condition);
        Assert.Contains("'C'", refused.Error.Description, StringComparison.Ordinal);

        // An ingress A knows nothing of: whether the hub rule covers it depends on its site, so it is not delivered.
        Assert.IsType<Released>(await data.SendAsync(Message("orders", "who?", annotations: Routed("orders", "A", "Z")), settled: false).WaitAsync(Deadline));
        Assert.Contains(net.Logs.Entries, e => e.Id.Id == 1302 && e.Message.Contains("orders", StringComparison.Ordinal));

        // With the hub as its ingress, the same message is delivered.
        var atA = await net.ConnectAsync("A", claimNodeId: "Y");
        var dataA = await atA.OpenSenderAsync("d", "_van/data", SenderSettleMode.Mixed).WaitAsync(Deadline);
        Assert.IsType<Accepted>(await dataA.SendAsync(Message("orders", "via hub", annotations: Routed("orders", "A", "B")), settled: false).WaitAsync(Deadline));
        Assert.IsType<Rejected>(await dataA.SendAsync(Message("orders", "from east", annotations: Routed("orders", "A", "C")), settled: false).WaitAsync(Deadline));
    }

    [Fact]
    public async Task ImportFilter_OnC_HidesAsService_BStillHasIt_AndTheHiddenOriginIsLoggedOnce()
    {
        await using var net = await ThreeSitesAsync(c: o =>
        {
            var west = new VanPeerPolicy { Match = "west" };
            west.Import.Clear();
            west.Import.Add("public");
            o.Policy.Peers.Add(west);
        });
        var (a, b, c) = (net.Nodes["A"], net.Nodes["B"], net.Nodes["C"]);
        using var orders = TestNetwork.Echo(a, "orders");
        using var open = TestNetwork.Echo(a, "public");
        await WaitUntilAsync(() => b.NodesServing("orders").Contains("A") && c.NodesServing("public").Contains("A"), "B to learn of orders and C of public");

        // C holds A's record (it relays it as it is) but does not route by it.
        await WaitUntilAsync(() => c.Snapshot.Nodes.Any(n => n.NodeId == "A" && n.Addresses.ContainsKey("orders")), "C to hold A's orders");
        Assert.Empty(c.NodesServing("orders"));
        await AssertNoRouteFastAsync(c, "orders");
        using (var fromB = new TestCaller(b))
        {
            Assert.Equal("A", await fromB.CallAsync("orders"));
        }

        static bool Hidden((string Category, Microsoft.Extensions.Logging.LogLevel Level, Microsoft.Extensions.Logging.EventId Id, string Message) e) =>
            e.Id.Id == 1301 && e.Message.Contains("Node C", StringComparison.Ordinal) && e.Message.Contains("orders", StringComparison.Ordinal)
            && e.Message.Contains("node A", StringComparison.Ordinal) && e.Message.Contains("west", StringComparison.Ordinal);
        var logged = Assert.Single(net.Logs.Entries, Hidden);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, logged.Level);

        // Another instance on A changes A's record; the hidden origin is not logged again.
        using var more = TestNetwork.Echo(a, "orders");
        await WaitUntilAsync(() => c.Snapshot.Nodes.Any(n => n.NodeId == "A" && n.Addresses.TryGetValue("orders", out var capacity) && capacity == 128), "C to see A's orders capacity grow");
        Assert.Single(net.Logs.Entries, Hidden);
        Assert.Empty(c.NodesServing("orders"));
    }

    [Fact]
    public async Task DefaultPolicy_EveryNodeUsesEveryService()
    {
        await using var net = await ThreeSitesAsync();
        using var orders = TestNetwork.Echo(net.Nodes["A"], "orders");
        await WaitUntilAsync(() => net.Nodes["C"].NodesServing("orders").Contains("A"), "C to learn of orders");

        using var fromC = new TestCaller(net.Nodes["C"]);
        Assert.Equal("A", await fromC.CallAsync("orders"));
        Assert.DoesNotContain(net.Logs.Entries, e => e.Id.Id is >= 1300 and < 1350);
    }
}
