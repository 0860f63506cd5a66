using Microsoft.Extensions.Hosting;
using Van;

namespace Van.Hosting.Tests;

/// <summary><c>SubscribeAsync</c>: typed messages while enumerating; the subscription is withdrawn however the enumeration ends.</summary>
public class SubscribeTests
{
    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task SubscribeAsync_MessagesSent_YieldsThemTypedInOrder(string where)
    {
        await using var hosts = new TestHosts();
        var subscriberHost = await hosts.StartAsync("subscriber");
        var sender = where == "local" ? subscriberHost : await hosts.StartAsync("sender", linkTo: subscriberHost);
        await using var subscription = TestHosts.Client(subscriberHost).SubscribeAsync<Order>("orders-placed").GetAsyncEnumerator();
        var first = subscription.MoveNextAsync().AsTask();
        await TestHosts.WaitForAsync(sender, "orders-placed");

        for (var i = 1; i <= 3; i++)
        {
            await TestHosts.Client(sender).SendAsync("orders-placed", new Order($"item {i}", i));
        }

        Assert.True(await TestHosts.Within(first, "the first message"));
        Assert.Equal(new Order("item 1", 1), subscription.Current);
        Assert.True(await subscription.MoveNextAsync());
        Assert.Equal(new Order("item 2", 2), subscription.Current);
        Assert.True(await subscription.MoveNextAsync());
        Assert.Equal(new Order("item 3", 3), subscription.Current);
    }

    [Fact]
    public async Task SubscribeAsync_BreakOutOfLoop_AddressWithdrawnEverywhere()
    {
        await using var hosts = new TestHosts();
        var subscriberHost = await hosts.StartAsync("subscriber");
        var observer = await hosts.StartAsync("observer", linkTo: subscriberHost);
        var subscriber = TestHosts.Client(subscriberHost);
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = Task.Run(async () =>
        {
            await foreach (var message in subscriber.SubscribeAsync<string>("alerts"))
            {
                if (message == "stop")
                {
                    break;
                }
            }
        });
        await TestHosts.WaitForAsync(observer, "alerts");
        Assert.Equal([TestHosts.NodeId(subscriberHost)], TestHosts.Client(observer).NodesServing("alerts"));

        await TestHosts.Client(observer).SendAsync("alerts", "stop");
        await TestHosts.Within(loop, "the loop to end");

        Assert.Empty(subscriber.NodesServing("alerts"));
        await TestHosts.WaitUntilAsync(() => TestHosts.Client(observer).NodesServing("alerts").Count == 0, "the observer to see the subscription withdrawn");
        await Assert.ThrowsAsync<VanNoRouteException>(() => TestHosts.Client(observer).SendAsync("alerts", "again").AsTask());
    }

    [Fact]
    public async Task SubscribeAsync_HostStops_EnumerationEndsWithoutException()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("stopping");
        var client = TestHosts.Client(host);
        var received = new List<int>();
        var loop = Consume(client, "events", received, CancellationToken.None);
        await TestHosts.WaitForAsync(host, "events");
        await client.SendAsync("events", 1);
        await TestHosts.WaitUntilAsync(() => Count(received) == 1, "the first message");

        await host.StopAsync();

        await TestHosts.Within(loop, "the enumeration to end when the host stops");
        lock (received)
        {
            Assert.Equal(new[] { 1 }, received);
        }
    }

    [Fact]
    public async Task SubscribeAsync_TokenCancelled_ThrowsOperationCanceledAndWithdraws()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("cancelling");
        var client = TestHosts.Client(host);
        using var cancel = new CancellationTokenSource();
        var loop = Consume(client, "events", new List<int>(), cancel.Token);
        await TestHosts.WaitForAsync(host, "events");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TestHosts.Within(loop, "the enumeration to end"));
        Assert.Empty(client.NodesServing("events"));
    }

    [Fact]
    public async Task SubscribeAsync_WithCancellation_ThrowsOperationCanceled()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("with-cancellation");
        var client = TestHosts.Client(host);
        using var cancel = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            await foreach (var _ in client.SubscribeAsync<int>("events").WithCancellation(cancel.Token))
            {
            }
        });
        await TestHosts.WaitForAsync(host, "events");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TestHosts.Within(loop, "the enumeration to end"));
    }

    [Fact]
    public async Task SubscribeAsync_TwoSubscribersOneNode_SendReachesOnePublishReachesBoth()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("pair");
        var client = TestHosts.Client(host);
        using var stop = new CancellationTokenSource(TestHosts.Deadline);
        var first = new List<string>();
        var second = new List<string>();
        var loops = new[] { Consume(client, "topic", first, stop.Token), Consume(client, "topic", second, stop.Token) };

        await client.SendAsync("topic", "sent");
        await client.PublishAsync("topic", "published");

        await TestHosts.WaitUntilAsync(() => Count(first) + Count(second) == 3, "one sent and two published copies");
        Assert.Equal(1, Count(first, "sent") + Count(second, "sent"));
        Assert.Equal((1, 1), (Count(first, "published"), Count(second, "published")));
        await stop.CancelAsync();
        await Task.WhenAll(loops.Select(l => l.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    [Fact]
    public async Task SubscribeAsync_SubscriberHeldWhileMoreThanItBuffersArrive_GetsEveryOneInOrderOnceItReads()
    {
        // 5,000 messages while the subscriber is stuck on the first: more than a subscription buffers, so the rest wait
        // their turn (each accepted once there is room) and none is lost or reordered.
        const int Count = 5_000;
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("held");
        var client = TestHosts.Client(host);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource(TestHosts.Deadline);
        var reading = Task.Run(async () =>
        {
            var received = new List<int>(Count);
            await foreach (var message in client.SubscribeAsync<int>("held-topic", stop.Token))
            {
                received.Add(message);
                if (received.Count == 1)
                {
                    firstArrived.SetResult();
                    await gate.Task;
                }

                if (received.Count == Count)
                {
                    break;
                }
            }

            return received;
        });
        await TestHosts.WaitForAsync(host, "held-topic");

        for (var i = 0; i < Count; i++)
        {
            await client.PublishAsync("held-topic", i);
        }

        await TestHosts.Within(firstArrived.Task, "the first message");
        gate.SetResult();
        var received = await TestHosts.Within(reading, "every message once the subscriber reads");
        Assert.Equal(Enumerable.Range(0, Count), received);
    }

    private static int Count<T>(List<T> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    private static int Count(List<string> list, string value)
    {
        lock (list)
        {
            return list.Count(m => m == value);
        }
    }

    private static async Task Consume<T>(IVanClient client, string address, List<T> received, CancellationToken cancellationToken)
    {
        await foreach (var message in client.SubscribeAsync<T>(address, cancellationToken))
        {
            lock (received)
            {
                received.Add(message);
            }
        }
    }
}
