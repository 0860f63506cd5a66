using Microsoft.Extensions.DependencyInjection;
using Van;

namespace Van.Hosting.Tests;

/// <summary><c>SendAsync</c>: one-way to one instance, complete once that instance's handler has accepted the message.</summary>
public class SendTests
{
    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task SendAsync_HandlerRunning_CompletesOnlyWhenHandlerAccepted(string where)
    {
        await using var hosts = new TestHosts();
        var started = new TaskCompletionSource<Order>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (caller, _) = await hosts.StartServedAsync(where, "inbox", van => van.MapService("inbox", async (request, _) =>
        {
            started.TrySetResult(request.Read<Order>());
            await release.Task;
            return ReadOnlyMemory<byte>.Empty;
        }));

        var send = TestHosts.Client(caller).SendAsync("inbox", new Order("mail", 1)).AsTask();
        Assert.Equal(new Order("mail", 1), await TestHosts.Within(started.Task, "the handler to get the message"));
        Assert.False(send.IsCompleted, "SendAsync completed while the handler was still running.");

        release.SetResult();
        await TestHosts.Within(send, "the send to complete");
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task SendAsync_TypedHandler_ReplyIgnored(string where)
    {
        await using var hosts = new TestHosts();
        var received = new List<int>();
        var (caller, _) = await hosts.StartServedAsync(where, "numbers", van => van.MapService<int, string>("numbers", (n, _) =>
        {
            lock (received)
            {
                received.Add(n);
            }

            return ValueTask.FromResult($"got {n}");
        }));

        for (var i = 0; i < 5; i++)
        {
            await TestHosts.Client(caller).SendAsync("numbers", i);
        }

        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, received);
    }

    [Fact]
    public async Task SendAsync_TwoInstances_OneOfThemGetsEachMessage()
    {
        await using var hosts = new TestHosts();
        var counts = new int[2];
        var a = await hosts.StartAsync("a", van => van.MapService("work", (_, _) =>
        {
            Interlocked.Increment(ref counts[0]);
            return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        }));
        var b = await hosts.StartAsync("b", van => van.MapService("work", (_, _) =>
        {
            Interlocked.Increment(ref counts[1]);
            return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        }), linkTo: a);
        var caller = await hosts.StartAsync("caller", linkTo: b);
        await TestHosts.WaitForAsync(caller, "work", instances: 2);

        for (var i = 0; i < 20; i++)
        {
            await TestHosts.Client(caller).SendAsync("work", i);
        }

        Assert.Equal(20, counts[0] + counts[1]);
    }
}
