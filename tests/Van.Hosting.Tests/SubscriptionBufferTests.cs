using Van.Core.Amqp.Framing;
using Van.Internal;

namespace Van.Hosting.Tests;

/// <summary>The subscription's buffer: bounded by count and by bytes, deliveries beyond it wait in order.</summary>
public class SubscriptionBufferTests
{
    [Fact]
    public async Task Deliver_BeyondTheByteBound_Waits_UntilTheReaderMakesRoom()
    {
        var subscription = new Subscription(capacity: 10, maxBytes: 1000);
        Assert.IsType<Accepted>(await subscription.Deliver(new byte[400], CancellationToken.None));
        Assert.IsType<Accepted>(await subscription.Deliver(new byte[400], CancellationToken.None));
        var third = subscription.Deliver(new byte[400], CancellationToken.None);
        Assert.False(third.IsCompleted);
        Assert.Equal(800, subscription.BufferedBytes);

        Assert.True(subscription.TryRead(out var first));
        Assert.Equal(400, first.Length);
        Assert.IsType<Accepted>(await third.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(800, subscription.BufferedBytes);
    }

    [Fact]
    public async Task Deliver_OneBodyBiggerThanTheByteBound_GoesInWhenTheBufferIsEmpty()
    {
        var subscription = new Subscription(capacity: 10, maxBytes: 1000);
        Assert.IsType<Accepted>(await subscription.Deliver(new byte[5000], CancellationToken.None));
        var next = subscription.Deliver(new byte[1], CancellationToken.None);
        Assert.False(next.IsCompleted);

        Assert.True(subscription.TryRead(out _));
        Assert.IsType<Accepted>(await next.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, subscription.BufferedBytes);
    }

    [Fact]
    public async Task Deliver_BeyondTheCount_Waits_AndCompleteReleasesWhatWaits()
    {
        var subscription = new Subscription(capacity: 2, maxBytes: 1000);
        Assert.IsType<Accepted>(await subscription.Deliver(new byte[1], CancellationToken.None));
        Assert.IsType<Accepted>(await subscription.Deliver(new byte[1], CancellationToken.None));
        var third = subscription.Deliver(new byte[1], CancellationToken.None);
        Assert.False(third.IsCompleted);

        subscription.Complete();
        Assert.IsType<Released>(await third.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(subscription.TryRead(out _));
        Assert.True(subscription.TryRead(out _));
        Assert.False(subscription.TryRead(out _));
        Assert.Equal(0, subscription.BufferedBytes);
    }
}
