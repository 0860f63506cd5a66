using Microsoft.Extensions.DependencyInjection;
using System.Buffers;
using System.Text;
using System.Text.Json;
using Van;

namespace Van.Hosting.Tests;

/// <summary>Raw bytes travel as they are; everything else goes through the host's serializer, which can be replaced.</summary>
public class SerializerTests
{
    /// <summary>A serializer that is not JSON: "item|quantity" for orders, and the hosts on both sides must agree on it.</summary>
    private sealed class PipeSerializer : IVanSerializer
    {
        public string? ContentType => "text/x-pipe";

        public void Serialize<T>(IBufferWriter<byte> output, T value)
        {
            var text = value switch
            {
                Order o => $"{o.Item}|{o.Quantity}",
                Receipt r => $"{r.Item}|{r.Quantity}|{r.Node}",
                _ => throw new NotSupportedException(typeof(T).Name),
            };
            output.Write(Encoding.UTF8.GetBytes(text));
        }

        public T Deserialize<T>(ReadOnlySpan<byte> data)
        {
            var parts = Encoding.UTF8.GetString(data).Split('|');
            object value = typeof(T) == typeof(Order) ? new Order(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture))
                : typeof(T) == typeof(Receipt) ? new Receipt(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2])
                : throw new NotSupportedException(typeof(T).Name);
            return (T)value;
        }
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_RawByteTypes_NeverSerialized(string where)
    {
        await using var hosts = new TestHosts();
        var bodies = new List<byte[]>();
        var (caller, _) = await hosts.StartServedAsync(where, "raw", van => van.MapService("raw", (request, _) =>
        {
            lock (bodies)
            {
                bodies.Add(request.Body.ToArray());
            }

            return ValueTask.FromResult<ReadOnlyMemory<byte>>(request.Body.ToArray());
        }));
        var client = TestHosts.Client(caller);

        Assert.Equal(new byte[] { 1, 2 }, await client.RequestAsync<byte[], byte[]>("raw", [1, 2]));
        Assert.Equal(new byte[] { 3 }, (await client.RequestAsync<Memory<byte>, Memory<byte>>("raw", new byte[] { 3 })).ToArray());
        await client.SendAsync("raw", new ReadOnlyMemory<byte>([4, 5]));

        Assert.Equal(new[] { new byte[] { 1, 2 }, [3], [4, 5] }, bodies);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task UseSerializer_BothSides_PayloadsUseIt(string where)
    {
        await using var hosts = new TestHosts();
        string? contentType = null;
        string? body = null;
        var server = await hosts.StartAsync("server", van =>
        {
            van.UseSerializer(new PipeSerializer());
            van.MapService<Order, Receipt>("orders", (order, _) => ValueTask.FromResult(new Receipt(order.Item, order.Quantity, "piped")));
            van.MapService("inspect", (request, _) =>
            {
                (contentType, body) = (request.ContentType, Encoding.UTF8.GetString(request.Body.Span));
                return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
            });
        });
        var caller = where == "local" ? server : await hosts.StartAsync("caller", van => van.UseSerializer(new PipeSerializer()), linkTo: server);
        await TestHosts.WaitForAsync(caller, "inspect");
        var client = TestHosts.Client(caller);

        Assert.Equal(new Receipt("a", 1, "piped"), await client.RequestAsync<Order, Receipt>("orders", new Order("a", 1)));
        await client.SendAsync("inspect", new Order("b", 2));
        Assert.Equal(("text/x-pipe", "b|2"), (contentType, body));
    }

    [Fact]
    public async Task UseJsonSerializer_CustomOptions_AppliedToPayloads()
    {
        await using var hosts = new TestHosts();
        string? body = null;
        var host = await hosts.StartAsync("json", van =>
        {
            van.UseJsonSerializer(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseUpper });
            van.MapService("inspect", (request, _) =>
            {
                body = Encoding.UTF8.GetString(request.Body.Span);
                return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
            });
        });

        await TestHosts.Client(host).SendAsync("inspect", new Order("c", 3));

        Assert.Equal("""{"ITEM":"c","QUANTITY":3}""", body);
    }
}
