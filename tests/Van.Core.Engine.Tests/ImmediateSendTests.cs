using System.Collections.Concurrent;
using System.Threading.Channels;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests;

/// <summary>
/// The router's allocation-free path through the engine: <see cref="SenderLink.TrySend"/> with an outcome sink, and
/// receivers whose deliveries are lent and reused (<see cref="ReceiverLink.SetReusingDeliveryHandler"/>).
/// </summary>
public class ImmediateSendTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly byte[] Message = [0x00, 0x53, 0x77, 0x41];

    [Fact]
    public async Task TrySend_WithCredit_SentAtOnceAndOutcomeGoesToTheSinkWithItsToken()
    {
        var broker = new TestBroker();
        await using var pair = await Pair.OpenAsync(broker);
        var sink = new Sink();

        Assert.True(pair.Sender.TrySend(Message, settled: false, sink, token: 7));

        var (state, failure, token) = await sink.Next.WaitAsync(Deadline);
        Assert.IsType<Accepted>(state);
        Assert.Null(failure);
        Assert.Equal(7, token);
        Assert.Equal(1, broker.Received);
    }

    [Fact]
    public async Task TrySend_ManyInFlight_EachOutcomeOnceToItsToken()
    {
        var broker = new TestBroker();
        await using var pair = await Pair.OpenAsync(broker);
        var sink = new Sink();
        var sent = 0;
        for (var i = 0; i < 100; i++)
        {
            sent += pair.Sender.TrySend(Message, settled: false, sink, token: i) ? 1 : 0;
        }

        Assert.Equal(100, sent);
        var tokens = new List<int>();
        for (var i = 0; i < 100; i++)
        {
            var (state, _, token) = await sink.Next.WaitAsync(Deadline);
            Assert.IsType<Accepted>(state);
            tokens.Add(token);
        }

        Assert.Equal(Enumerable.Range(0, 100), tokens.Order());
        await Task.Delay(50);
        Assert.Equal(0, sink.Pending);
    }

    [Fact]
    public async Task TrySend_Presettled_NeedsNoSink()
    {
        var broker = new TestBroker();
        await using var pair = await Pair.OpenAsync(broker);

        Assert.True(pair.Sender.TrySend(Message, settled: true, sink: null, token: 0));

        await Wait.UntilAsync(() => broker.Received == 1, "the broker to receive");
    }

    [Fact]
    public async Task TrySend_NoCredit_ReturnsFalseAndSendsNothing()
    {
        var broker = new TestBroker { Credit = 0 };
        await using var pair = await Pair.OpenAsync(broker, waitForCredit: false);

        Assert.False(pair.Sender.TrySend(Message, settled: false, new Sink(), token: 0));
        await Task.Delay(50);
        Assert.Equal(0, broker.Received);
    }

    [Fact]
    public async Task TrySend_WhileASendWaitsForCredit_ReturnsFalse_SoSendsStayInOrder()
    {
        var broker = new TestBroker { Credit = 0 };
        await using var pair = await Pair.OpenAsync(broker, waitForCredit: false);
        var waiting = pair.Sender.SendAsync(Message);
        await Task.Delay(50);

        Assert.False(waiting.IsCompleted);
        Assert.False(pair.Sender.TrySend(Message, settled: false, new Sink(), token: 0));
    }

    [Fact]
    public async Task TrySend_MessageNeedsMoreThanOneFrame_ReturnsFalse()
    {
        var broker = new TestBroker();
        await using var pair = await Pair.OpenAsync(broker, serverMaxFrameSize: 512);

        Assert.False(pair.Sender.TrySend(new byte[600], settled: false, new Sink(), token: 0));
        Assert.IsType<Accepted>(await pair.Sender.SendAsync(new byte[600]).WaitAsync(Deadline));
    }

    [Fact]
    public async Task TrySend_LinkDetached_ThrowsNotSent()
    {
        var broker = new TestBroker();
        await using var pair = await Pair.OpenAsync(broker);
        await pair.Sender.DetachAsync().WaitAsync(Deadline);

        Assert.Throws<AmqpDeliveryNotSentException>(() => pair.Sender.TrySend(Message, settled: false, new Sink(), token: 0));
    }

    [Fact]
    public async Task TrySend_ConnectionEndsBeforeTheOutcome_SinkGetsTheFailure()
    {
        var silent = new SilentReceiver();
        await using var pair = await Pair.OpenAsync(silent);
        var sink = new Sink();
        Assert.True(pair.Sender.TrySend(Message, settled: false, sink, token: 3));
        await Wait.UntilAsync(() => silent.Received == 1, "the receiver to get it");

        await pair.Server.AbortAsync(new Error { Condition = ErrorCondition.ConnectionForced, Description = "gone" });

        var (state, failure, token) = await sink.Next.WaitAsync(Deadline);
        Assert.Null(state);
        Assert.NotNull(failure);
        Assert.Equal(3, token);
    }

    [Fact]
    public async Task ReusingDeliveryHandler_SettledDeliveriesAreReused_PayloadIntactWhileTheHandlerRuns()
    {
        var receiving = new ReusingReceiver();
        await using var pair = await Pair.OpenAsync(receiving);
        for (var i = 0; i < 5; i++)
        {
            Assert.IsType<Accepted>(await pair.Sender.SendAsync(new byte[] { 0x00, 0x53, 0x77, 0x41, (byte)i }).WaitAsync(Deadline));
        }

        Assert.Equal(Enumerable.Range(0, 5).Select(i => (byte)i), receiving.LastBytes);
        Assert.Single(receiving.Instances.Distinct());
    }

    private sealed class Sink : IDeliveryOutcomeSink
    {
        private readonly Channel<(DeliveryState?, AmqpException?, int)> _calls = Channel.CreateUnbounded<(DeliveryState?, AmqpException?, int)>();

        public int Pending => _calls.Reader.Count;

        public Task<(DeliveryState? State, AmqpException? Failure, int Token)> Next => _calls.Reader.ReadAsync().AsTask();

        public void OnOutcome(DeliveryState? state, AmqpException? failure, int token) => _calls.Writer.TryWrite((state, failure, token));
    }

    /// <summary>Takes deliveries and never settles them.</summary>
    private sealed class SilentReceiver : AmqpConnectionHandler
    {
        public int Received;

        public override void OnLinkAttached(AmqpLink link)
        {
            if (link is ReceiverLink receiver)
            {
                receiver.SetDeliveryHandler(_ => Interlocked.Increment(ref Received));
                receiver.SetCredit(100);
            }
        }
    }

    /// <summary>Accepts through the reusing handler, noting each delivery instance and the last payload byte it read.</summary>
    private sealed class ReusingReceiver : AmqpConnectionHandler
    {
        public ConcurrentQueue<AmqpDelivery> Instances { get; } = new();

        public ConcurrentQueue<byte> LastBytes { get; } = new();

        public override void OnLinkAttached(AmqpLink link)
        {
            if (link is ReceiverLink receiver)
            {
                receiver.SetReusingDeliveryHandler(d =>
                {
                    Instances.Enqueue(d);
                    LastBytes.Enqueue(d.Payload.Span[^1]);
                    receiver.SettleAndRecycle(d, Accepted.Instance);
                });
                receiver.SetCredit(100);
            }
        }
    }

    private sealed class Pair : IAsyncDisposable
    {
        public required AmqpConnection Client { get; init; }

        public required AmqpConnection Server { get; init; }

        public required SenderLink Sender { get; init; }

        public static async Task<Pair> OpenAsync(
            AmqpConnectionHandler handler, bool waitForCredit = true, uint serverMaxFrameSize = 64 * 1024, SenderSettleMode settleMode = SenderSettleMode.Mixed)
        {
            var (client, server) = await InMemoryEngineTests.ConnectPairAsync(handler, serverOptions: new AmqpConnectionOptions { ContainerId = "server", MaxFrameSize = serverMaxFrameSize });
            var session = await client.BeginSessionAsync().WaitAsync(Deadline);
            var sender = await session.OpenSenderAsync("s", "q", settleMode).WaitAsync(Deadline);
            if (waitForCredit)
            {
                await Wait.UntilAsync(() => sender.LinkCredit > 0, "credit");
            }

            return new Pair { Client = client, Server = server, Sender = sender };
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
