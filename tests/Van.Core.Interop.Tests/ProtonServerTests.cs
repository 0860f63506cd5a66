using System.Text;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Amqp.Encoding;
using Van.Core.Transport;

namespace Van.Core.Interop.Tests;

/// <summary>A Van client against a Proton 0.37 python server (proton.reactor.Container) over real TCP.</summary>
public class ProtonServerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public ProtonServerTests() => Assert.True(ProtonProcess.IsAvailable, "python3-qpid-proton is not installed (run ./test.sh, which installs it).");

    private static async Task<(ProtonProcess Server, int Port)> StartServerAsync(string mechs = "ANONYMOUS")
    {
        var server = ProtonProcess.Start("proton_server.py", mechs);
        var line = await server.ReadLineAsync(Deadline);
        Assert.StartsWith("LISTENING ", line, StringComparison.Ordinal);
        return (server, int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }


    [Fact]
    public async Task VanClient_AnonymousToProtonServer_ExchangesMessagesBothWays()
    {
        var (server, port) = await StartServerAsync();
        await using var _ = server;
        var transport = await AmqpConnector.ConnectAsync("127.0.0.1", port);
        await using var connection = await AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions { Sasl = SaslCredentials.Anonymous, Hostname = "127.0.0.1" }).WaitAsync(Deadline);
        Assert.Equal("anonymous", connection.AuthenticatedUser);
        var session = await connection.BeginSessionAsync().WaitAsync(Deadline);
        var sender = await session.OpenSenderAsync("van-sender", "queue-a").WaitAsync(Deadline);
        var receiver = await session.OpenReceiverAsync("van-receiver", "queue-a", credit: 50).WaitAsync(Deadline);

        const int count = 200;
        var sends = new List<Task<DeliveryState?>>();
        for (var i = 0; i < count; i++)
        {
            var message = AmqpMessage.Create("hello " + i);
            message.Properties = new Properties { MessageId = (ulong)i, To = "queue-a" };
            sends.Add(sender.SendAsync(message.ToArray()));
        }

        foreach (var outcome in await Task.WhenAll(sends).WaitAsync(Deadline))
        {
            Assert.IsType<Accepted>(outcome);
        }

        for (var i = 0; i < count; i++)
        {
            var delivery = await receiver.ReceiveAsync().AsTask().WaitAsync(Deadline);
            var message = AmqpMessage.Decode(delivery.Payload.Span);
            Assert.Equal("hello " + i, message.Value);
            Assert.Equal((ulong)i, message.Properties!.MessageId);
            receiver.Accept(delivery);
        }

        await connection.CloseAsync().WaitAsync(Deadline);
        Assert.Null(connection.Error);
    }

    [Fact]
    public async Task VanClient_DynamicReceiverOnProtonServer_GetsServerMadeAddress()
    {
        var (server, port) = await StartServerAsync();
        await using var _ = server;
        var transport = await AmqpConnector.ConnectAsync("127.0.0.1", port);
        await using var connection = await AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions()).WaitAsync(Deadline);
        var session = await connection.BeginSessionAsync().WaitAsync(Deadline);
        var replies = await session.OpenReceiverAsync("replies", null, credit: 10, dynamic: true).WaitAsync(Deadline);
        Assert.StartsWith("dyn-", replies.Address, StringComparison.Ordinal);

        var sender = await session.OpenSenderAsync("to-dynamic", replies.Address).WaitAsync(Deadline);
        var payload = new byte[70_000]; // over Proton's default frame size for its own sends: multi-frame both ways
        new Random(3).NextBytes(payload);
        Assert.IsType<Accepted>(await sender.SendAsync(AmqpMessage.CreateData(payload).ToArray()).WaitAsync(Deadline));
        var delivery = await replies.ReceiveAsync().AsTask().WaitAsync(Deadline);
        Assert.True(payload.AsSpan().SequenceEqual(Assert.Single(AmqpMessage.Decode(delivery.Payload.Span).Data!).Span));
    }

    [Fact]
    public async Task VanClient_PlainAgainstProtonServer_FailsClearlyBecauseProtonOffersOnlyAnonymous()
    {
        // Debian's Proton 0.37 has no Cyrus SASL: its server side offers ANONYMOUS only, even when PLAIN is allowed.
        // PLAIN interop is proven the other way round (a Proton client authenticating to Van).
        var (server, port) = await StartServerAsync("PLAIN ANONYMOUS");
        await using var _ = server;
        var transport = await AmqpConnector.ConnectAsync("127.0.0.1", port);
        var error = await Assert.ThrowsAsync<AmqpException>(() =>
            AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions { Sasl = SaslCredentials.Plain("alice", "pw") }).WaitAsync(Deadline));
        Assert.Equal(ErrorCondition.UnauthorizedAccess, error.Condition);
        Assert.Contains("ANONYMOUS", error.Message, StringComparison.Ordinal);
    }
}
