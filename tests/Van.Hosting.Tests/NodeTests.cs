using Microsoft.Extensions.DependencyInjection;
using Van;

namespace Van.Hosting.Tests;

/// <summary>What the application sees of its node (<see cref="IVanNode"/>) and of routing (<c>NodesServing</c>, <c>WaitForServiceAsync</c>).</summary>
public class NodeTests
{
    [Fact]
    public async Task IVanNode_HostLifecycle_ReportsRunningAndRealPort()
    {
        await using var hosts = new TestHosts();
        var host = hosts.Build("lifecycle", options: o => o.Site = "onprem");
        var node = TestHosts.Node(host);
        Assert.False(node.IsRunning);
        Assert.Empty(node.ListenEndpoints);
        Assert.Equal("onprem", node.Site);

        await host.StartAsync();
        Assert.True(node.IsRunning);
        var endpoint = Assert.Single(node.ListenEndpoints);
        Assert.NotEqual(0, endpoint.Port);
        Assert.Equal(System.Net.IPAddress.Loopback, endpoint.Address);

        await host.StopAsync();
        Assert.False(node.IsRunning);
    }

    [Fact]
    public async Task NodesServing_LocalAndRemoteInstances_SelfFirstThenCheapest()
    {
        await using var hosts = new TestHosts();
        Action<IVanBuilder> serve = van => van.MapService("orders", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));
        var near = await hosts.StartAsync("near", serve);
        var far = await hosts.StartAsync("far", serve);
        var self = await hosts.StartAsync("self", serve, o => o.Links.Add(new VanLinkOptions { Url = TestHosts.Url(far), Cost = 10 }), linkTo: near);
        await TestHosts.WaitForAsync(self, "orders", instances: 3);

        Assert.Equal([TestHosts.NodeId(self), TestHosts.NodeId(near), TestHosts.NodeId(far)], TestHosts.Client(self).NodesServing("orders"));
        Assert.Empty(TestHosts.Client(self).NodesServing("unknown"));
    }

    [Fact]
    public async Task WaitForServiceAsync_InstanceStartsLater_CompletesOnceRoutingKnowsIt()
    {
        await using var hosts = new TestHosts();
        var caller = await hosts.StartAsync("caller");
        var waiting = TestHosts.WaitForAsync(caller, "orders");
        Assert.False(waiting.IsCompleted);

        await hosts.StartAsync("server", van => van.MapService("orders", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)), linkTo: caller);

        await waiting;
        Assert.Single(TestHosts.Client(caller).NodesServing("orders"));
    }

    [Fact]
    public async Task WaitForServiceAsync_NothingServes_TokenEndsTheWait()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("waiting");
        using var cancel = new CancellationTokenSource();
        var waiting = TestHosts.Client(host).WaitForServiceAsync("never", cancellationToken: cancel.Token).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TestHosts.Within(waiting, "the wait to end"));
    }

    [Fact]
    public async Task RequestAsync_BeforeHostStarts_WaitsForTheStart()
    {
        await using var hosts = new TestHosts();
        var host = hosts.Build("late", van => van.MapService("echo", (r, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(r.Body.ToArray())));
        var call = TestHosts.Client(host).RequestAsync("echo", new byte[] { 42 }).AsTask();
        Assert.False(call.IsCompleted);

        await host.StartAsync();

        Assert.Equal(new byte[] { 42 }, (await TestHosts.Within(call, "the call to complete once started")).ToArray());
    }

    [Fact]
    public async Task RequestAsync_AfterHostStopped_ThrowsInvalidOperation()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("stopped", van => van.MapService("echo", (r, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(r.Body.ToArray())));
        await host.StopAsync();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHosts.Client(host).RequestAsync("echo", new byte[] { 1 }).AsTask());
        Assert.Contains(TestHosts.NodeId(host), e.Message, StringComparison.Ordinal);
    }
}
