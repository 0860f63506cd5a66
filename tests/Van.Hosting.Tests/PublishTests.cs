using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Van;

namespace Van.Hosting.Tests;

/// <summary><c>PublishAsync</c>: every subscriber once, wherever it is; nothing and no error when there is none.</summary>
public class PublishTests
{
    /// <summary>
    /// How long subscribers wait for publications once routing knows them all: ample for a few hops on loopback, and
    /// short enough that a publication that never comes fails the test without holding the suite up.
    /// </summary>
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PublishAsync_SubscribersOnThreeNodesInALine_EachGetsEveryMessageOnce()
    {
        // a - b - c: the copy for b and c leaves a on one link, and b must both deliver it and pass it on.
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync("a");
        var b = await hosts.StartAsync("b", linkTo: a);
        var c = await hosts.StartAsync("c", linkTo: b);
        using var stop = new CancellationTokenSource(Arrival);
        var subscribers = new[] { a, b, c }.Select(h => Collect(h, "news", count: 2, stop.Token)).ToArray();
        await TestHosts.WaitForAsync(a, "news", instances: 3);

        // Copies are at most once: b must route to c before the first copy reaches it, not only a know of c.
        await TestHosts.WaitForAsync(b, "news", instances: 3);

        await TestHosts.Client(a).PublishAsync("news", "one");
        await TestHosts.Client(a).PublishAsync("news", "two");

        foreach (var subscriber in subscribers)
        {
            // Copies along one path arrive in order: a duplicate of "one" would come before "two".
            Assert.Equal(new[] { "one", "two" }, await TestHosts.Within(subscriber, "every subscriber to get both messages"));
        }
    }

    [Fact]
    public async Task PublishAsync_SubscribersOnHubAndTwoSpokes_EachGetsEveryMessageOnce()
    {
        await using var hosts = new TestHosts();
        var hub = await hosts.StartAsync("hub");
        var left = await hosts.StartAsync("left", linkTo: hub);
        var right = await hosts.StartAsync("right", linkTo: hub);
        using var stop = new CancellationTokenSource(Arrival);
        var subscribers = new[] { hub, left, right }.Select(h => Collect(h, "news", count: 2, stop.Token)).ToArray();
        await TestHosts.WaitForAsync(hub, "news", instances: 3);

        await TestHosts.Client(hub).PublishAsync("news", "one");
        await TestHosts.Client(hub).PublishAsync("news", "two");

        foreach (var subscriber in subscribers)
        {
            Assert.Equal(new[] { "one", "two" }, await TestHosts.Within(subscriber, "every subscriber to get both messages"));
        }
    }

    [Fact]
    public async Task PublishAsync_FromNodeWithoutSubscriber_ReachesRemoteSubscribers()
    {
        await using var hosts = new TestHosts();
        var hub = await hosts.StartAsync("hub");
        var left = await hosts.StartAsync("left", linkTo: hub);
        var right = await hosts.StartAsync("right", linkTo: hub);
        using var stop = new CancellationTokenSource(Arrival);
        var subscribers = new[] { left, right }.Select(h => Collect(h, "ticks", count: 3, stop.Token)).ToArray();
        await TestHosts.WaitForAsync(hub, "ticks", instances: 2);

        for (var i = 0; i < 3; i++)
        {
            await TestHosts.Client(hub).PublishAsync("ticks", $"tick {i}");
        }

        foreach (var subscriber in subscribers)
        {
            Assert.Equal(new[] { "tick 0", "tick 1", "tick 2" }, await TestHosts.Within(subscriber, "both subscribers to get every tick"));
        }
    }

    [Fact]
    public async Task PublishAsync_TwoSubscribersOnOneRemoteNode_BothGetIt()
    {
        await using var hosts = new TestHosts();
        var publisher = await hosts.StartAsync("publisher");
        var subscriber = await hosts.StartAsync("subscriber", linkTo: publisher);
        using var stop = new CancellationTokenSource(Arrival);
        var subscribers = new[] { Collect(subscriber, "news", count: 1, stop.Token), Collect(subscriber, "news", count: 1, stop.Token) };
        await TestHosts.WaitForAsync(publisher, "news");

        await TestHosts.Client(publisher).PublishAsync("news", "one");

        foreach (var received in subscribers)
        {
            Assert.Equal(new[] { "one" }, await TestHosts.Within(received, "both subscribers to get the message"));
        }
    }

    [Fact]
    public async Task PublishAsync_NoSubscriber_Completes()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync("lonely", van => van.MapService("presence", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)));
        var b = await hosts.StartAsync("neighbour", linkTo: a);
        await TestHosts.WaitForAsync(b, "presence");

        await TestHosts.Client(a).PublishAsync("nobody-listens", new Order("x", 1));
        await TestHosts.Client(b).PublishAsync("nobody-listens", new Order("x", 1));
    }

    [Fact]
    public async Task PublishAsync_ServiceInstances_EachInstanceGetsACopy()
    {
        // Publish ignores the address's distribution: two instances of a service both get it, where a send reaches one.
        await using var hosts = new TestHosts();
        var got = new int[2];
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Action<IVanBuilder> Serve(int i) => van => van.MapService("cache-flush", (_, _) =>
        {
            Interlocked.Increment(ref got[i]);
            if (Volatile.Read(ref got[0]) > 0 && Volatile.Read(ref got[1]) > 0)
            {
                both.TrySetResult();
            }

            return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        });
        var a = await hosts.StartAsync("a", Serve(0));
        var b = await hosts.StartAsync("b", Serve(1), linkTo: a);
        await TestHosts.WaitForAsync(a, "cache-flush", instances: 2);

        await TestHosts.Client(a).PublishAsync("cache-flush", "all");
        await TestHosts.Within(both.Task, "both instances to get the publication");
        Assert.Equal((1, 1), (got[0], got[1]));
    }

    [Fact]
    public async Task PublishAsync_PublisherOutrunsTheLinkWithSmallAndBigCopies_SubscriberGetsEveryOneInOrder()
    {
        // 5,000 publishes without a pause outrun the data link's credit, so most copies wait in the link's queue; some
        // are bigger than a queue segment. None may be lost, reordered or mixed up with its neighbours.
        const int Count = 5_000;
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync("a");
        var b = await hosts.StartAsync("b", linkTo: a);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = Task.Run(async () =>
        {
            var bodies = new List<byte[]>(Count);
            await foreach (var body in TestHosts.Client(b).SubscribeAsync<ReadOnlyMemory<byte>>("stream", stop.Token))
            {
                bodies.Add(body.ToArray());
                if (bodies.Count == Count)
                {
                    break;
                }
            }

            return bodies;
        });
        await TestHosts.WaitForAsync(a, "stream");

        static byte[] Body(int i)
        {
            var body = new byte[i % 500 == 7 ? 100_000 + i : 16 + (i % 300)];
            BitConverter.TryWriteBytes(body, i);
            body.AsSpan(4).Fill((byte)i);
            return body;
        }

        for (var i = 0; i < Count; i++)
        {
            await TestHosts.Client(a).PublishAsync<ReadOnlyMemory<byte>>("stream", Body(i));
        }

        var bodies = await TestHosts.Within(received, "every publication to arrive");
        for (var i = 0; i < Count; i++)
        {
            Assert.True(Body(i).AsSpan().SequenceEqual(bodies[i]), $"publication {i} arrived as {BitConverter.ToInt32(bodies[i])} ({bodies[i].Length} bytes)");
        }
    }

    [Fact]
    public async Task PublishAsync_ToAServiceOnTheSameNodeThatReadsLater_EachInstanceReadsItsOwnMessage()
    {
        // The publisher's buffer is pooled and reused by the next publish; handlers on the same node read their
        // request only after every publish returned, so each must hold bytes of its own.
        const int Count = 200;
        await using var hosts = new TestHosts();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var read = new System.Collections.Concurrent.ConcurrentBag<string>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = await hosts.StartAsync("a", van => van.MapService("late-readers", async (request, _) =>
        {
            await release.Task;
            read.Add(System.Text.Encoding.UTF8.GetString(request.Body.Span));
            if (read.Count == Count)
            {
                all.TrySetResult();
            }

            return ReadOnlyMemory<byte>.Empty;
        }));

        var published = Enumerable.Range(0, Count).Select(i => $"message {i} " + new string((char)('a' + (i % 26)), i)).ToArray();
        foreach (var message in published)
        {
            await TestHosts.Client(a).PublishAsync<ReadOnlyMemory<byte>>("late-readers", System.Text.Encoding.UTF8.GetBytes(message));
        }

        release.SetResult();
        await TestHosts.Within(all.Task, "every handler to read its message");
        Assert.Equal(published.Order(StringComparer.Ordinal), read.Order(StringComparer.Ordinal));
    }

    private static async Task<string[]> Collect(IHost host, string address, int count, CancellationToken cancellationToken)
    {
        var received = new List<string>();
        await foreach (var message in TestHosts.Client(host).SubscribeAsync<string>(address, cancellationToken))
        {
            received.Add(message);
            if (received.Count == count)
            {
                break;
            }
        }

        return [.. received];
    }
}
