using System.Collections.Concurrent;
using Van.Core.Transport;

namespace Van.Routing.Tests.Network;

public class ConnectorTests
{
    /// <summary>Virtual time that also tells the test which delays the node asked for.</summary>
    private sealed class RecordingClock : TimeProvider
    {
        private readonly Van.Core.Engine.Tests.ManualTimeProvider _clock = new();

        public ConcurrentQueue<TimeSpan> Delays { get; } = new();

        public override long TimestampFrequency => _clock.TimestampFrequency;

        public override long GetTimestamp() => _clock.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            // HELLO ticks are an hour apart in this test; anything shorter is a connector's backoff.
            if (dueTime < TimeSpan.FromMinutes(1))
            {
                Delays.Enqueue(dueTime);
            }

            return _clock.CreateTimer(callback, state, dueTime, period);
        }

        public void Advance(TimeSpan by) => _clock.Advance(by, by);
    }

    [Fact]
    public async Task Connector_RetriesForeverWithCappedJitteredBackoff_ThenConnects()
    {
        var clock = new RecordingClock();
        await using var net = new TestNetwork();
        var a = net.Add("A", o =>
        {
            o.TimeProvider = clock;
            o.HelloInterval = TimeSpan.FromHours(1);
            o.RecomputeInterval = TimeSpan.Zero;
            o.ReconnectMinDelay = TimeSpan.FromMilliseconds(100);
            o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(800);
        });
        var b = net.Add("B");
        var attempts = 0;
        var reachable = false;
        a.AddConnector("A->B", ct =>
        {
            Interlocked.Increment(ref attempts);
            if (!Volatile.Read(ref reachable))
            {
                throw new IOException("connection refused");
            }

            var (client, server) = InMemoryTransport.CreatePair();
            _ = b.AcceptAsync(server);
            return ValueTask.FromResult<AmqpTransport>(client);
        });

        var bound = TimeSpan.FromMilliseconds(100);
        for (var i = 1; i <= 12; i++)
        {
            TimeSpan delay = default;
            await TestNetwork.WaitUntilAsync(() => clock.Delays.TryDequeue(out delay), $"backoff delay #{i}");
            Assert.Equal(i, Volatile.Read(ref attempts));

            // Each delay is jittered into [half, whole] of a bound that doubles from the minimum up to the cap.
            Assert.InRange(delay, bound / 2, bound);
            bound = TimeSpan.FromTicks(Math.Min(bound.Ticks * 2, TimeSpan.FromMilliseconds(800).Ticks));
            if (i == 12)
            {
                Volatile.Write(ref reachable, true);
            }

            clock.Advance(delay);
        }

        await TestNetwork.WaitUntilAsync(() => b.Snapshot.TryGetRoute("A", out _, out _), "the connection once B is reachable");
        Assert.Equal(13, Volatile.Read(ref attempts));
    }
}
