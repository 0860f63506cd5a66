using Microsoft.Extensions.DependencyInjection;
using System.Text;
using Microsoft.Extensions.Hosting;
using Van;

namespace Van.Hosting.Tests;

/// <summary>On stop a node withdraws its services first, lets handlers in progress finish and reply, then leaves.</summary>
public class DrainTests
{
    private sealed class Gate
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Replies "done" once released, ignoring its token (but reporting whether it was cancelled by then).</summary>
        public async ValueTask<ReadOnlyMemory<byte>> HandleAsync(VanRequest request, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            await Release.Task;
            if (cancellationToken.IsCancellationRequested)
            {
                Cancelled.TrySetResult();
            }

            return Encoding.UTF8.GetBytes("done");
        }
    }

    [Fact]
    public async Task StopAsync_HandlerInProgress_RemoteCallerGetsReplyAndAddressWithdrawnFirst()
    {
        await using var hosts = new TestHosts();
        var gate = new Gate();
        var caller = await hosts.StartAsync("caller");
        // The stopping node dials the caller, so nothing redials its port once it is gone.
        var server = await hosts.StartAsync("server", van => van.MapService("orders", gate.HandleAsync), o => o.DrainTimeout = TestHosts.Deadline, linkTo: caller);
        await TestHosts.WaitForAsync(caller, "orders");
        var client = TestHosts.Client(caller);

        var call = client.RequestAsync("orders", Encoding.UTF8.GetBytes("x")).AsTask();
        await TestHosts.Within(gate.Started.Task, "the handler to start");
        var stopping = server.StopAsync();

        // Withdrawn before the drain ends: new calls go elsewhere (here: nowhere) while the old one finishes.
        await TestHosts.WaitUntilAsync(() => client.NodesServing("orders").Count == 0, "the caller to see orders withdrawn");
        Assert.False(stopping.IsCompleted, "The node stopped without waiting for its handler.");
        Assert.False(call.IsCompleted);
        await Assert.ThrowsAsync<VanNoRouteException>(() => client.RequestAsync("orders", Encoding.UTF8.GetBytes("y")).AsTask());

        gate.Release.SetResult();
        var reply = await TestHosts.Within(call, "the drained handler's reply");
        Assert.Equal("done", Encoding.UTF8.GetString(reply.Span));
        await TestHosts.Within(stopping, "the node to stop");
        Assert.False(gate.Cancelled.Task.IsCompleted, "The handler was cancelled though it finished within the drain timeout.");
        Assert.Empty(client.NodesServing("orders"));
    }

    [Fact]
    public async Task StopAsync_HandlerInProgress_LocalCallerGetsReply()
    {
        await using var hosts = new TestHosts();
        var gate = new Gate();
        var host = await hosts.StartAsync("solo", van => van.MapService("orders", gate.HandleAsync), o => o.DrainTimeout = TestHosts.Deadline);
        var client = TestHosts.Client(host);

        var call = client.RequestAsync("orders", Encoding.UTF8.GetBytes("x")).AsTask();
        await TestHosts.Within(gate.Started.Task, "the handler to start");
        var stopping = host.StopAsync();
        await TestHosts.WaitUntilAsync(() => !TestHosts.Node(host).IsRunning, "the node to begin stopping");
        Assert.Empty(client.NodesServing("orders"));
        Assert.False(stopping.IsCompleted);

        gate.Release.SetResult();
        Assert.Equal("done", Encoding.UTF8.GetString((await TestHosts.Within(call, "the drained handler's reply")).Span));
        await TestHosts.Within(stopping, "the node to stop");
    }

    [Fact]
    public async Task StopAsync_HandlerOutlastsDrainTimeout_HandlerCancelledAndCallerFails()
    {
        await using var hosts = new TestHosts();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var caller = await hosts.StartAsync("caller");
        var server = await hosts.StartAsync(
            "server",
            van => van.MapService("stuck", async (_, ct) =>
            {
                started.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    cancelled.TrySetResult();
                    throw;
                }

                return ReadOnlyMemory<byte>.Empty;
            }),
            o => o.DrainTimeout = TimeSpan.FromMilliseconds(200),
            linkTo: caller);
        await TestHosts.WaitForAsync(caller, "stuck");

        var call = TestHosts.Client(caller).RequestAsync("stuck", new byte[] { 1 }).AsTask();
        await TestHosts.Within(started.Task, "the handler to start");
        await TestHosts.Within(server.StopAsync(), "the node to stop after its drain timeout");

        await TestHosts.Within(cancelled.Task, "the abandoned handler to be cancelled");
        // The outcome races the link's close: rejected as cancelled, or lost with the link. Never a hang, never a reply.
        var e = await Assert.ThrowsAnyAsync<VanException>(() => TestHosts.Within(call, "the call to fail"));
        Assert.True(e is VanRejectedException or VanLinkLostException, $"Unexpected {e.GetType().Name}: {e.Message}");
        Assert.Equal("stuck", e.Address);
    }

    [Fact]
    public async Task StopAsync_CallWaitingForRemoteReply_DrainWaitsForIt()
    {
        // The stopping node's own calls in flight are drained too: their replies still come back to it.
        await using var hosts = new TestHosts();
        var gate = new Gate();
        var server = await hosts.StartAsync("server", van => van.MapService("orders", gate.HandleAsync));
        var caller = await hosts.StartAsync("caller", options: o => o.DrainTimeout = TestHosts.Deadline, linkTo: server);
        await TestHosts.WaitForAsync(caller, "orders");

        var call = TestHosts.Client(caller).RequestAsync("orders", new byte[] { 1 }).AsTask();
        await TestHosts.Within(gate.Started.Task, "the handler to start");
        var stopping = caller.StopAsync();
        await TestHosts.WaitUntilAsync(() => !TestHosts.Node(caller).IsRunning, "the caller to begin stopping");
        Assert.False(stopping.IsCompleted);

        gate.Release.SetResult();
        Assert.Equal("done", Encoding.UTF8.GetString((await TestHosts.Within(call, "the reply")).Span));
        await TestHosts.Within(stopping, "the caller to stop");
    }
}
