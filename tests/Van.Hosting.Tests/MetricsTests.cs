using Microsoft.Extensions.DependencyInjection;
using Van;

namespace Van.Hosting.Tests;

/// <summary>The <c>Van</c> meter: client calls by outcome and duration, handled messages on the serving node.</summary>
public class MetricsTests
{
    [Fact]
    public async Task RequestAsync_OkAndNoRoute_CountedByOutcome()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("metrics", van => van.MapService("echo", (r, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(r.Body.ToArray())));
        var node = TestHosts.NodeId(host);
        using var metrics = new MetricRecorder(node);
        var client = TestHosts.Client(host);

        await client.RequestAsync("echo", new byte[] { 1 });
        await client.RequestAsync("echo", new byte[] { 2 });
        await Assert.ThrowsAsync<VanNoRouteException>(() => client.RequestAsync("nowhere", new byte[] { 3 }).AsTask());

        var ok = metrics.Of("van.client.requests", node, ("van.address", "echo"), ("van.operation", "request"), ("van.outcome", "ok"));
        Assert.Equal(2, ok.Sum(m => m.Value));
        var noRoute = metrics.Of("van.client.requests", node, ("van.address", "nowhere"), ("van.operation", "request"), ("van.outcome", "no-route"));
        Assert.Equal(1, noRoute.Sum(m => m.Value));
        Assert.Single(metrics.Of("van.client.failures", node, ("van.address", "nowhere"), ("van.reason", "no-route")));
        Assert.Empty(metrics.Of("van.client.failures", node, ("van.address", "echo")));
    }

    [Fact]
    public async Task RequestAsync_Completed_DurationRecordedWithAddress()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("duration", van => van.MapService("echo", (r, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(r.Body.ToArray())));
        var node = TestHosts.NodeId(host);
        using var metrics = new MetricRecorder(node);

        await TestHosts.Client(host).RequestAsync("echo", new byte[] { 1 });

        var duration = Assert.Single(metrics.Of("van.client.duration", node, ("van.address", "echo"), ("van.outcome", "ok")));
        Assert.InRange(duration.Value, 0, TestHosts.Deadline.TotalSeconds);
    }

    [Fact]
    public async Task RequestAsync_AcrossNodes_ServingNodeCountsHandledRequests()
    {
        await using var hosts = new TestHosts();
        var (caller, server) = await hosts.StartServedAsync("remote", "echo", van => van
            .MapService("echo", (r, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(r.Body.ToArray()))
            .MapService("fails", (_, _) => throw new InvalidOperationException("boom")));
        var (callerId, serverId) = (TestHosts.NodeId(caller), TestHosts.NodeId(server));
        using var metrics = new MetricRecorder(callerId, serverId);
        var client = TestHosts.Client(caller);

        await client.RequestAsync("echo", new byte[] { 1 });
        await client.RequestAsync("echo", new byte[] { 2 });
        await Assert.ThrowsAsync<VanRemoteException>(() => client.RequestAsync("fails", new byte[] { 3 }).AsTask());

        // The handler's node records after it replied: wait for it.
        await TestHosts.WaitUntilAsync(
            () => metrics.Of("van.service.requests", serverId, ("van.address", "echo"), ("van.outcome", "ok")).Sum(m => m.Value) == 2,
            "the serving node to count both requests");
        await TestHosts.WaitUntilAsync(
            () => metrics.Of("van.service.requests", serverId, ("van.address", "fails"), ("van.outcome", "error")).Sum(m => m.Value) == 1,
            "the serving node to count the failure");
        Assert.Empty(metrics.Of("van.service.requests", callerId));
        Assert.Equal(1, metrics.Of("van.client.requests", callerId, ("van.address", "fails"), ("van.outcome", "remote-error")).Sum(m => m.Value));
        Assert.NotEmpty(metrics.Of("van.service.duration", serverId, ("van.address", "echo")));
    }

    [Fact]
    public async Task Calls_EachOperation_TaggedWithItsOperationAndOutcome()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("operations", van => van.MapService("slow", async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return ReadOnlyMemory<byte>.Empty;
        }).MapService("sink", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)));
        var node = TestHosts.NodeId(host);
        using var metrics = new MetricRecorder(node);
        var client = TestHosts.Client(host);
        using var cancel = new CancellationTokenSource();

        await client.SendAsync("sink", 1);
        await client.PublishAsync("sink", 2);
        await Assert.ThrowsAsync<VanRequestTimeoutException>(() => client.RequestAsync("slow", new byte[] { 1 }, new VanCallOptions { Timeout = TimeSpan.FromMilliseconds(100) }).AsTask());
        var cancelled = client.RequestAsync("slow", new byte[] { 1 }, cancellationToken: cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        Assert.Single(metrics.Of("van.client.requests", node, ("van.operation", "send"), ("van.outcome", "ok")));
        Assert.Single(metrics.Of("van.client.requests", node, ("van.operation", "publish"), ("van.outcome", "ok")));
        Assert.Single(metrics.Of("van.client.requests", node, ("van.operation", "request"), ("van.outcome", "timeout")));
        Assert.Single(metrics.Of("van.client.requests", node, ("van.operation", "request"), ("van.outcome", "cancelled")));
    }
}
