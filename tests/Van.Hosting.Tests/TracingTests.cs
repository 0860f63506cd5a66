using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using Van;

namespace Van.Hosting.Tests;

/// <summary>W3C trace context joins the caller's span and the handler's, across nodes, under the caller's ambient span.</summary>
public class TracingTests
{
    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_ListenerOnVan_HandleSpanIsChildOfRequestSpan(string where)
    {
        await using var hosts = new TestHosts();
        string? handlerTraceId = null;
        var (caller, server) = await hosts.StartServedAsync(where, "traced", van => van.MapService("traced", (request, _) =>
        {
            handlerTraceId = Activity.Current?.TraceId.ToHexString();
            return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        }));
        var (callerId, serverId) = (TestHosts.NodeId(caller), TestHosts.NodeId(server));
        using var spans = new SpanRecorder(callerId, serverId);

        using var root = new Activity("test.root").SetIdFormat(ActivityIdFormat.W3C).Start();
        await TestHosts.Client(caller).RequestAsync("traced", new byte[] { 1 });
        Assert.Same(root, Activity.Current);
        root.Stop();

        var client = Assert.Single(spans.Of(callerId, "van.request"));
        await TestHosts.WaitUntilAsync(() => spans.Of(serverId, "van.handle").Count == 1, "the handler's span to end");
        var handle = spans.Of(serverId, "van.handle")[0];

        Assert.Equal(ActivityKind.Client, client.Kind);
        Assert.Equal(root.TraceId, client.TraceId);
        Assert.Equal(root.SpanId, client.ParentSpanId);
        Assert.Equal("traced", client.GetTagItem("van.address"));

        Assert.Equal(ActivityKind.Server, handle.Kind);
        Assert.Equal(client.TraceId, handle.TraceId);
        Assert.Equal(client.SpanId, handle.ParentSpanId);
        Assert.Equal("traced", handle.GetTagItem("van.address"));
        Assert.Equal(handle.TraceId.ToHexString(), handlerTraceId);
    }

    [Fact]
    public async Task RequestAsync_NoAmbientSpan_RequestSpanStartsTheTrace()
    {
        await using var hosts = new TestHosts();
        var (caller, server) = await hosts.StartServedAsync("remote", "traced", van => van.MapService("traced", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)));
        var (callerId, serverId) = (TestHosts.NodeId(caller), TestHosts.NodeId(server));
        using var spans = new SpanRecorder(callerId, serverId);
        Activity.Current = null;

        await TestHosts.Client(caller).RequestAsync("traced", new byte[] { 1 });

        var client = Assert.Single(spans.Of(callerId, "van.request"));
        await TestHosts.WaitUntilAsync(() => spans.Of(serverId, "van.handle").Count == 1, "the handler's span to end");
        var handle = spans.Of(serverId, "van.handle")[0];
        Assert.Equal(default, client.ParentSpanId);
        Assert.Equal((client.TraceId, client.SpanId), (handle.TraceId, handle.ParentSpanId));
    }

    [Fact]
    public async Task SendAsync_AcrossNodes_SendSpanParentsHandleSpan()
    {
        await using var hosts = new TestHosts();
        var (caller, server) = await hosts.StartServedAsync("remote", "inbox", van => van.MapService("inbox", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)));
        var (callerId, serverId) = (TestHosts.NodeId(caller), TestHosts.NodeId(server));
        using var spans = new SpanRecorder(callerId, serverId);

        await TestHosts.Client(caller).SendAsync("inbox", "hi");

        var send = Assert.Single(spans.Of(callerId, "van.send"));
        await TestHosts.WaitUntilAsync(() => spans.Of(serverId, "van.handle").Count == 1, "the handler's span to end");
        Assert.Equal(send.SpanId, spans.Of(serverId, "van.handle")[0].ParentSpanId);
    }

    [Fact]
    public async Task RequestAsync_HandlerThrows_BothSpansMarkedError()
    {
        await using var hosts = new TestHosts();
        var (caller, server) = await hosts.StartServedAsync("remote", "fails", van => van.MapService("fails", (_, _) => throw new InvalidOperationException("boom")));
        var (callerId, serverId) = (TestHosts.NodeId(caller), TestHosts.NodeId(server));
        using var spans = new SpanRecorder(callerId, serverId);

        await Assert.ThrowsAsync<VanRemoteException>(() => TestHosts.Client(caller).RequestAsync("fails", new byte[] { 1 }).AsTask());

        Assert.Equal(ActivityStatusCode.Error, Assert.Single(spans.Of(callerId, "van.request")).Status);
        await TestHosts.WaitUntilAsync(() => spans.Of(serverId, "van.handle").Count == 1, "the handler's span to end");
        Assert.Equal(ActivityStatusCode.Error, spans.Of(serverId, "van.handle")[0].Status);
    }
}
