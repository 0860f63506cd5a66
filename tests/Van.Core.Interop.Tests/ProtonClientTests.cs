using System.Collections.Concurrent;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Engine.Tests;

namespace Van.Core.Interop.Tests;

/// <summary>A Proton 0.37 python client against a Van listener over real TCP.</summary>
public class ProtonClientTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    public ProtonClientTests() => Assert.True(ProtonProcess.IsAvailable, "python3-qpid-proton is not installed (run ./test.sh, which installs it).");

    [Fact]
    public async Task ProtonClient_SendsAndReceives10000Unsettled_AllSettledAndInOrder()
    {
        var broker = new TestBroker();
        await using var server = new VanServer(broker);
        await using var proton = ProtonProcess.Start("proton_client.py", "sendrecv", server.Url, "interop-q", "10000");

        var result = await proton.ReadJsonAsync(Deadline);

        Assert.Equal(10000, result.GetProperty("sent").GetInt32());
        Assert.Equal(10000, result.GetProperty("accepted").GetInt32());
        Assert.Equal(10000, result.GetProperty("settled").GetInt32());
        Assert.Equal(10000, result.GetProperty("received").GetInt32());
        Assert.True(result.GetProperty("in_order").GetBoolean());
        Assert.Equal(10000, broker.Received);
    }

    [Fact]
    public async Task ProtonClient_Sends5MiBMessage_VanReassemblesItByteExact()
    {
        const int size = 5 * 1024 * 1024;
        var handler = new CapturingHandler();
        // A 64 KiB max-frame-size makes Proton split the message into about 80 transfer frames.
        await using var server = new VanServer(handler, () => new AmqpConnectionOptions { MaxFrameSize = 64 * 1024 });
        await using var proton = ProtonProcess.Start("proton_client.py", "large", server.Url, "big", size.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var result = await proton.ReadJsonAsync(Deadline);

        Assert.Equal("accepted", result.GetProperty("outcome").GetString());
        Assert.Equal(64 * 1024, result.GetProperty("max_frame").GetInt32());
        var delivery = Assert.Single(handler.Deliveries);
        Assert.True(handler.MaxTransfersPerDelivery > 1 || delivery.Payload.Length > 64 * 1024);
        var message = AmqpMessage.Decode(delivery.Payload.Span);
        var data = Assert.Single(message.Data!);
        Assert.Equal(size, data.Length);
        var span = data.Span;
        for (var i = 0; i < size; i++)
        {
            if (span[i] != (byte)(i % 251))
            {
                Assert.Fail($"Byte {i} is {span[i]}, expected {i % 251}.");
            }
        }
    }

    [Fact]
    public async Task ProtonClient_IdlePastTimeoutWithHeartbeats_ConnectionStaysOpen()
    {
        var broker = new TestBroker();
        // Van enforces 4 s of silence and advertises 2 s; Proton sends empty frames every 1 s (a 4-fold margin on a
        // loaded machine). Staying idle for 9 s (over 2 timeouts) only works if those heartbeats count as life.
        await using var server = new VanServer(broker, () => new AmqpConnectionOptions { IdleTimeout = TimeSpan.FromSeconds(4) });
        await using var proton = ProtonProcess.Start("proton_client.py", "idle", server.Url, "9", "2");

        var result = await proton.ReadJsonAsync(Deadline);

        Assert.Equal("accepted", result.GetProperty("outcome").GetString());
        var connection = Assert.Single(server.Connections);
        Assert.Null(connection.Error);
        Assert.Equal(1000u, connection.RemoteOpen!.IdleTimeOut); // Proton advertises half its heartbeat=2
    }

    [Fact]
    public async Task ProtonClient_SaslPlainWithGoodPassword_IsAuthenticated()
    {
        var broker = new TestBroker();
        await using var server = new VanServer(broker, () => new AmqpConnectionOptions
        {
            SaslServer = new SaslServerOptions { AllowAnonymous = false, PlainValidator = (u, p) => u == "alice" && p == "s3cret" },
        });
        await using var proton = ProtonProcess.Start("proton_client.py", "plain", server.Url, "plain-q", "alice", "s3cret");

        var result = await proton.ReadJsonAsync(Deadline);

        Assert.Equal("accepted", result.GetProperty("outcome").GetString());
        Assert.Equal("alice", Assert.Single(server.Connections).AuthenticatedUser);
    }

    [Fact]
    public async Task ProtonClient_SaslPlainWithBadPassword_IsRefusedAsUnauthorized()
    {
        var broker = new TestBroker();
        await using var server = new VanServer(broker, () => new AmqpConnectionOptions
        {
            SaslServer = new SaslServerOptions { AllowAnonymous = false, PlainValidator = (u, p) => u == "alice" && p == "s3cret" },
        });
        await using var proton = ProtonProcess.Start("proton_client.py", "plain", server.Url, "plain-q", "alice", "wrong");

        var result = await proton.ReadJsonAsync(Deadline);

        Assert.Equal("error", result.GetProperty("outcome").GetString());
        Assert.Equal("amqp:unauthorized-access", result.GetProperty("error").GetProperty("condition").GetString());
        Assert.Empty(server.Connections);
        Assert.Equal(0, broker.Received);
    }

    private sealed class CapturingHandler : AmqpConnectionHandler
    {
        public ConcurrentQueue<AmqpDelivery> Deliveries { get; } = new();

        public int MaxTransfersPerDelivery { get; private set; } = 2;

        public override void OnLinkAttached(AmqpLink link)
        {
            if (link is ReceiverLink receiver)
            {
                receiver.SetDeliveryHandler(d =>
                {
                    Deliveries.Enqueue(d);
                    receiver.Accept(d);
                });
                receiver.SetCredit(10);
            }
        }
    }
}
