using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Van;

namespace Van.Hosting.Tests;

public sealed record Order(string Item, int Quantity);

public sealed record Receipt(string Item, int Quantity, string Node);

public class RequestTests
{
    [Fact]
    public async Task RequestAsync_RawHandlerInSameProcess_RepliesWithoutNetwork()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("solo", van => van.MapService("echo", (request, ct) => ValueTask.FromResult(request.Body.ToArray().AsMemory().Reverse())));
        var reply = await TestHosts.Client(host).RequestAsync("echo", Encoding.UTF8.GetBytes("abc"));
        Assert.Equal("cba", Encoding.UTF8.GetString(reply.Span));
    }

    [Fact]
    public async Task RequestAsync_TypedAcrossTwoNodes_DeserializesReply()
    {
        await using var hosts = new TestHosts();
        var server = await hosts.StartAsync("server", van => van.MapService<Order, Receipt>("orders", (order, ct) => ValueTask.FromResult(new Receipt(order.Item, order.Quantity, "server"))));
        var caller = await hosts.StartAsync("caller", linkTo: server);
        await TestHosts.WaitForAsync(caller, "orders");
        var receipt = await TestHosts.Client(caller).RequestAsync<Order, Receipt>("orders", new Order("apple", 3));
        Assert.Equal(new Receipt("apple", 3, "server"), receipt);
    }

    /// <summary>
    /// Replies are resumed a burst at a time on one work item: a caller that blocks there, here on another call whose
    /// reply needs resuming too (sync over async), must neither deadlock nor hold up the other callers for good.
    /// </summary>
    [Fact]
    public async Task RequestAsync_CallerBlocksAfterAwaitOnAnotherCall_EveryCallStillCompletes()
    {
        await using var hosts = new TestHosts();
        var server = await hosts.StartAsync("server", van => van.MapService("echo", (request, ct) => ValueTask.FromResult<ReadOnlyMemory<byte>>(request.Body.ToArray())));
        var caller = await hosts.StartAsync("caller", linkTo: server);
        await TestHosts.WaitForAsync(caller, "echo");
        var client = TestHosts.Client(caller);
        var options = new VanCallOptions { Timeout = TimeSpan.FromSeconds(20) };

        async Task<string> BlockingCallerAsync()
        {
            var first = await client.RequestAsync("echo", Encoding.UTF8.GetBytes("first"), options);

            // Resumed by the dispatcher: block its thread until a second call's reply is resumed.
            var second = client.RequestAsync("echo", Encoding.UTF8.GetBytes("second"), options).AsTask().GetAwaiter().GetResult();
            return Encoding.UTF8.GetString(first.Span) + "+" + Encoding.UTF8.GetString(second.Span);
        }

        var blocking = Task.Run(BlockingCallerAsync);
        var others = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
            Encoding.UTF8.GetString((await client.RequestAsync("echo", Encoding.UTF8.GetBytes($"other-{i}"), options)).Span))).ToArray();

        Assert.Equal("first+second", await blocking.WaitAsync(TestHosts.Deadline));
        var replies = await Task.WhenAll(others).WaitAsync(TestHosts.Deadline);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"other-{i}"), replies);
    }
}

internal static class MemoryExtensions2
{
    public static ReadOnlyMemory<byte> Reverse(this Memory<byte> memory)
    {
        memory.Span.Reverse();
        return memory;
    }
}
