using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Text;
using Van;

namespace Van.Hosting.Tests;

/// <summary>Each way a call fails surfaces as its own <see cref="VanException"/>, the same in-process and across nodes.</summary>
public class ErrorTests
{
    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_NothingServesAddress_ThrowsNoRouteAtOnce(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "present", van => van.MapService("present", Echo));
        var started = Stopwatch.GetTimestamp();

        var e = await Assert.ThrowsAsync<VanNoRouteException>(() => TestHosts.Client(caller).RequestAsync("absent", Bytes("x")).AsTask());

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5), $"No route took {Stopwatch.GetElapsedTime(started)}.");
        Assert.Equal("absent", e.Address);
        Assert.Contains("'absent'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task SendAsync_NothingServesAddress_ThrowsNoRoute(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "present", van => van.MapService("present", Echo));

        var e = await Assert.ThrowsAsync<VanNoRouteException>(() => TestHosts.Client(caller).SendAsync("absent", new Order("x", 1)).AsTask());
        Assert.Equal("absent", e.Address);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_HandlerSlowerThanTimeout_ThrowsTimeoutAndCancelsHandler(string where)
    {
        await using var hosts = new TestHosts();
        var handlerCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (caller, _) = await hosts.StartServedAsync(where, "slow", van => van.MapService("slow", async (_, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                handlerCancelled.TrySetResult();
                throw;
            }

            return ReadOnlyMemory<byte>.Empty;
        }));
        var timeout = TimeSpan.FromMilliseconds(300);

        var e = await Assert.ThrowsAsync<VanRequestTimeoutException>(
            () => TestHosts.Client(caller).RequestAsync("slow", Bytes("x"), new VanCallOptions { Timeout = timeout }).AsTask());

        Assert.Equal("slow", e.Address);
        Assert.Equal(timeout, e.Timeout);
        await TestHosts.Within(handlerCancelled.Task, "the handler's token to be cancelled at the caller's deadline");
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_NoTimeoutInCall_UsesRequestTimeoutOption(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(
            where,
            "slow",
            van => van.MapService("slow", async (_, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return ReadOnlyMemory<byte>.Empty;
            }),
            callerOptions: o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));

        var e = await Assert.ThrowsAsync<VanRequestTimeoutException>(() => TestHosts.Client(caller).RequestAsync("slow", Bytes("x")).AsTask());
        Assert.Equal(TimeSpan.FromMilliseconds(300), e.Timeout);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_HandlerThrows_ThrowsVanRemoteExceptionWithTypeAndMessage(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "fails", van => van.MapService("fails", (_, _) => throw new InvalidOperationException("boom")));

        var e = await Assert.ThrowsAsync<VanRemoteException>(() => TestHosts.Client(caller).RequestAsync("fails", Bytes("x")).AsTask());

        Assert.Equal("fails", e.Address);
        Assert.Equal("System.InvalidOperationException", e.RemoteType);
        Assert.Equal("boom", e.RemoteMessage);
        Assert.Contains("boom", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(ErrorTests), e.Message, StringComparison.Ordinal);
        Assert.Null(e.InnerException);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_AsyncHandlerThrows_ThrowsVanRemoteException(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "fails", van => van.MapService<Order, Receipt>("fails", async (order, _) =>
        {
            await Task.Yield();
            throw new KeyNotFoundException($"no {order.Item}");
        }));

        var e = await Assert.ThrowsAsync<VanRemoteException>(() => TestHosts.Client(caller).RequestAsync<Order, Receipt>("fails", new Order("kiwi", 1)).AsTask());
        Assert.Equal(("System.Collections.Generic.KeyNotFoundException", "no kiwi"), (e.RemoteType, e.RemoteMessage));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task SendAsync_HandlerThrows_ThrowsVanRemoteException(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "fails", van => van.MapService("fails", (_, _) => throw new InvalidOperationException("boom")));

        var e = await Assert.ThrowsAsync<VanRemoteException>(() => TestHosts.Client(caller).SendAsync("fails", new Order("x", 1)).AsTask());
        Assert.Equal(("System.InvalidOperationException", "boom"), (e.RemoteType, e.RemoteMessage));
    }

    /// <summary>
    /// The one rejection the public API can produce on purpose: a subscription that ends while a message waits for room
    /// in its buffer releases it, and with no other instance to take it the sender gets "released".
    /// </summary>
    [Fact]
    public async Task SendAsync_SubscriptionEndsWhileMessageWaits_ThrowsVanRejectedException()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("rejects");
        var client = TestHosts.Client(host);
        var subscription = client.SubscribeAsync<int>("feed").GetAsyncEnumerator();
        var first = subscription.MoveNextAsync();
        await client.SendAsync("feed", 0);
        Assert.True(await first);

        // The subscriber stopped reading: its buffer (1,024 messages) fills, and the next send waits for room.
        for (var i = 1; i <= 1024; i++)
        {
            await client.SendAsync("feed", i);
        }

        var waiting = client.SendAsync("feed", 1025).AsTask();
        Assert.False(waiting.IsCompleted);
        await subscription.DisposeAsync();

        var e = await Assert.ThrowsAsync<VanRejectedException>(() => TestHosts.Within(waiting, "the waiting send to be released"));
        Assert.Equal("feed", e.Address);
        Assert.Equal("amqp:released", e.Condition);
        Assert.Contains("released", e.Message, StringComparison.Ordinal);
    }

    private static ValueTask<ReadOnlyMemory<byte>> Echo(VanRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ReadOnlyMemory<byte>>(request.Body.ToArray());

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
