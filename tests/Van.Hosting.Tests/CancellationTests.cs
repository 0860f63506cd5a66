using Microsoft.Extensions.DependencyInjection;
using System.Text;
using Van;

namespace Van.Hosting.Tests;

/// <summary>A caller that gives up frees the handler's slot, wherever it runs; a reply nobody waits for is dropped.</summary>
public class CancellationTests
{
    /// <summary>"wait" blocks on the handler's token (and reports its cancellation); anything else echoes at once.</summary>
    private sealed class Blocking
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls;

        public async ValueTask<ReadOnlyMemory<byte>> HandleAsync(VanRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            var body = request.Body.ToArray();
            if (Encoding.UTF8.GetString(body) == "wait")
            {
                Started.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    Cancelled.TrySetResult();
                    throw;
                }
            }

            return body;
        }
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_CancelledWhileHandlerRuns_ThrowsAndFreesTheSlot(string where)
    {
        // The call's deadline is far beyond the test's: only the cancellation itself can reach the handler in time.
        await using var hosts = new TestHosts();
        var handler = new Blocking();
        var (caller, _) = await hosts.StartServedAsync(
            where,
            "slow",
            van => van.MapService("slow", handler.HandleAsync),
            o => o.Services["slow"] = new VanServiceOptions { MaxConcurrency = 1 },
            callerOptions: o => o.RequestTimeout = TimeSpan.FromHours(1));
        var client = TestHosts.Client(caller);

        using var cancel = new CancellationTokenSource();
        var first = client.RequestAsync("slow", Bytes("wait"), cancellationToken: cancel.Token).AsTask();
        await TestHosts.Within(handler.Started.Task, "the handler to start");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TestHosts.Within(first, "the cancelled call to end"));
        await TestHosts.Within(handler.Cancelled.Task, "the handler's token to be cancelled");
        var second = await client.RequestAsync("slow", Bytes("next"), new VanCallOptions { Timeout = TestHosts.Deadline });
        Assert.Equal("next", Encoding.UTF8.GetString(second.Span));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_TokenAlreadyCancelled_ThrowsWithoutCallingTheHandler(string where)
    {
        await using var hosts = new TestHosts();
        var handler = new Blocking();
        var (caller, _) = await hosts.StartServedAsync(where, "echo", van => van.MapService("echo", handler.HandleAsync));
        var client = TestHosts.Client(caller);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.RequestAsync("echo", Bytes("first"), cancellationToken: new CancellationToken(true)).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync("echo", Bytes("second"), cancellationToken: new CancellationToken(true)).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PublishAsync("echo", Bytes("third"), cancellationToken: new CancellationToken(true)).AsTask());

        // Messages to one instance arrive in order: had the cancelled ones been sent, the handler would have seen them first.
        await client.RequestAsync("echo", Bytes("last"));
        Assert.Equal(1, Volatile.Read(ref handler.Calls));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_HandlerRepliesAfterCallerGaveUp_ReplyDroppedAndLaterCallsSucceed(string where)
    {
        await using var hosts = new TestHosts();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (caller, _) = await hosts.StartServedAsync(where, "stubborn", van => van.MapService("stubborn", async (request, _) =>
        {
            // Ignores its token: replies whenever it is done.
            var body = request.Body.ToArray();
            if (Encoding.UTF8.GetString(body) == "late")
            {
                started.TrySetResult();
                await release.Task;
                finished.TrySetResult();
            }

            return body;
        }));
        var client = TestHosts.Client(caller);

        using var cancel = new CancellationTokenSource();
        var late = client.RequestAsync("stubborn", Bytes("late"), cancellationToken: cancel.Token).AsTask();
        await TestHosts.Within(started.Task, "the handler to start");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TestHosts.Within(late, "the cancelled call to end"));
        release.SetResult();
        await TestHosts.Within(finished.Task, "the handler to reply late");

        for (var i = 0; i < 3; i++)
        {
            var reply = await client.RequestAsync("stubborn", Bytes($"on time {i}"));
            Assert.Equal($"on time {i}", Encoding.UTF8.GetString(reply.Span));
        }
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_TimedOutCallsOnFullService_LaterCallsSucceed(string where)
    {
        // A call that times out while it waits for a slot must not hold one either.
        await using var hosts = new TestHosts();
        var handler = new Blocking();
        var (caller, _) = await hosts.StartServedAsync(
            where,
            "slow",
            van => van.MapService("slow", handler.HandleAsync),
            o => o.Services["slow"] = new VanServiceOptions { MaxConcurrency = 1 });
        var client = TestHosts.Client(caller);

        var brief = new VanCallOptions { Timeout = TimeSpan.FromMilliseconds(500) };
        var blocked = client.RequestAsync("slow", Bytes("wait"), brief).AsTask();
        await TestHosts.Within(handler.Started.Task, "the handler to start");
        var queued = client.RequestAsync("slow", Bytes("queued"), brief).AsTask();
        await Assert.ThrowsAsync<VanRequestTimeoutException>(() => TestHosts.Within(blocked, "the blocked call to time out"));
        await TestHosts.Within(handler.Cancelled.Task, "the handler to be cancelled at the deadline");
        try
        {
            // It may have run in what was left of its own deadline, or timed out waiting.
            await TestHosts.Within(queued, "the queued call to end");
        }
        catch (VanRequestTimeoutException)
        {
        }

        var reply = await client.RequestAsync("slow", Bytes("next"));
        Assert.Equal("next", Encoding.UTF8.GetString(reply.Span));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
