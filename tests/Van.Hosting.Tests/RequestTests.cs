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
}

internal static class MemoryExtensions2
{
    public static ReadOnlyMemory<byte> Reverse(this Memory<byte> memory)
    {
        memory.Span.Reverse();
        return memory;
    }
}
