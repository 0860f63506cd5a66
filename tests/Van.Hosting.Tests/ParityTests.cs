using Microsoft.Extensions.DependencyInjection;
using System.Text;
using Van;

namespace Van.Hosting.Tests;

/// <summary>
/// A handler cannot tell an in-process caller from a remote one, nor a caller an in-process handler from a remote one:
/// the same request properties, the same replies (the failures' parity is in <see cref="ErrorTests"/>).
/// </summary>
public class ParityTests
{
    private sealed record Seen(string Address, string? Subject, string? ContentType, byte[] Body, string? Header, bool ExpectsReply);

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_RawBytes_HandlerSeesTheSameRequest(string where)
    {
        await using var hosts = new TestHosts();
        Seen? seen = null;
        var (caller, _) = await hosts.StartServedAsync(where, "inspect", van => van.MapService("inspect", (request, _) =>
        {
            seen = new Seen(request.Address, request.Subject, request.ContentType, request.Body.ToArray(), request.Headers.GetValueOrDefault("tenant"), request.ExpectsReply);
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 0, 255, 7 });
        }));
        var options = new VanCallOptions { Subject = "Check", Headers = new Dictionary<string, string> { ["tenant"] = "acme" } };

        var reply = await TestHosts.Client(caller).RequestAsync("inspect", new byte[] { 1, 2, 3 }, options);

        Assert.Equal(new byte[] { 0, 255, 7 }, reply.ToArray());
        Assert.NotNull(seen);
        Assert.Equal(("inspect", "Check", null, "acme", true), (seen.Address, seen.Subject, seen.ContentType, seen.Header, seen.ExpectsReply));
        Assert.Equal(new byte[] { 1, 2, 3 }, seen.Body);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_Typed_HandlerSeesJsonAndCallerGetsObject(string where)
    {
        await using var hosts = new TestHosts();
        Seen? seen = null;
        var (caller, _) = await hosts.StartServedAsync(where, "orders", van => van.MapService("orders", (request, _) =>
        {
            seen = new Seen(request.Address, request.Subject, request.ContentType, request.Body.ToArray(), null, request.ExpectsReply);
            var order = request.Read<Order>();
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes($$"""{"item":"{{order.Item}}","quantity":{{order.Quantity * 2}},"node":"n"}"""));
        }));

        var receipt = await TestHosts.Client(caller).RequestAsync<Order, Receipt>("orders", new Order("apple", 3));

        Assert.Equal(new Receipt("apple", 6, "n"), receipt);
        Assert.NotNull(seen);
        Assert.Equal(("orders", null, "application/json", true), (seen.Address, seen.Subject, seen.ContentType, seen.ExpectsReply));
        Assert.Equal("""{"item":"apple","quantity":3}""", Encoding.UTF8.GetString(seen.Body));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_EmptyRequestAndReply_RoundTrip(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "empty", van => van.MapService("empty", (request, _) =>
            ValueTask.FromResult(request.Body.IsEmpty ? ReadOnlyMemory<byte>.Empty : "not empty"u8.ToArray())));

        var reply = await TestHosts.Client(caller).RequestAsync("empty", ReadOnlyMemory<byte>.Empty);
        Assert.True(reply.IsEmpty);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_LargePayload_RoundTripsIntact(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "echo", van => van.MapService("echo", (request, _) =>
            ValueTask.FromResult<ReadOnlyMemory<byte>>(request.Body.ToArray())));
        var payload = new byte[200_000];
        new Random(42).NextBytes(payload);

        var reply = await TestHosts.Client(caller).RequestAsync("echo", payload);
        Assert.True(reply.Span.SequenceEqual(payload));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_ReplyIsTheRequestBody_EchoesWithoutACopy(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "echo", van => van.MapService("echo", (request, _) => ValueTask.FromResult(request.Body)));
        var client = TestHosts.Client(caller);

        // Sequential calls of different sizes: each reply is its own request's bytes, never a previous call's.
        for (var n = 1; n <= 5; n++)
        {
            var payload = Enumerable.Range(0, n * 100).Select(i => (byte)(i * n)).ToArray();
            var reply = await client.RequestAsync("echo", payload);
            Assert.Equal(payload, reply.ToArray());
        }
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_SequentialCalls_ReuseTheRequestObject_AKeptOneIsEmptied(string where)
    {
        await using var hosts = new TestHosts();
        var requests = new List<VanRequest>();
        var (caller, _) = await hosts.StartServedAsync(where, "keep", van => van.MapService("keep", (request, _) =>
        {
            requests.Add(request);
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes($"{request.Subject}:{request.Headers.GetValueOrDefault("n")}:{request.Body.Length}"));
        }));
        var client = TestHosts.Client(caller);

        var first = await client.RequestAsync("keep", new byte[3], new VanCallOptions { Subject = "one", Headers = new Dictionary<string, string> { ["n"] = "1" } });
        var kept = Assert.Single(requests);
        Assert.True(kept.Body.IsEmpty, "a request kept past its handler must not still point at the message's bytes");
        Assert.Null(kept.Subject);
        var second = await client.RequestAsync("keep", new byte[5], new VanCallOptions { Subject = "two", Headers = new Dictionary<string, string> { ["n"] = "2" } });

        // The second call sees only its own request, in the object the first one left behind.
        Assert.Equal(("one:1:3", "two:2:5"), (Encoding.UTF8.GetString(first.Span), Encoding.UTF8.GetString(second.Span)));
        Assert.Equal(2, requests.Count);
        Assert.Same(requests[0], requests[1]);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_ManyConcurrentCalls_EachGetsItsOwnReply(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "double", van => van.MapService<int, int>("double", async (n, _) =>
        {
            await Task.Yield();
            return n * 2;
        }));
        var client = TestHosts.Client(caller);

        var replies = await Task.WhenAll(Enumerable.Range(0, 200).Select(n => client.RequestAsync<int, int>("double", n).AsTask()));
        Assert.Equal(Enumerable.Range(0, 200).Select(n => n * 2), replies);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task SendAsync_OneWay_HandlerSeesNoReplyExpected(string where)
    {
        await using var hosts = new TestHosts();
        Seen? seen = null;
        var (caller, _) = await hosts.StartServedAsync(where, "log", van => van.MapService("log", (request, _) =>
        {
            seen = new Seen(request.Address, request.Subject, request.ContentType, request.Body.ToArray(), null, request.ExpectsReply);
            return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        }));

        await TestHosts.Client(caller).SendAsync("log", new Order("x", 1), new VanCallOptions { Subject = "Write" });

        Assert.NotNull(seen);
        Assert.Equal(("log", "Write", "application/json", false), (seen.Address, seen.Subject, seen.ContentType, seen.ExpectsReply));
    }
}
