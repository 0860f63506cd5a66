using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Transport;

namespace Van.Hosting.Tests;

/// <summary>
/// Van's calls as a plain AMQP 1.0 peer sees them (Van.Core's engine on a real socket, playing Proton): requests it
/// sends to a mapped service, and requests Van sends to a consumer it attached, decoded with <see cref="AmqpMessage"/>
/// (and byte for byte what it would encode for the same content).
/// </summary>
public class WireTests
{
    [Fact]
    public async Task MapService_RequestFromPlainAmqpClient_HandlerReadsEveryBodyKindAndReplyCorrelates()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("server", van => van.MapService("shout", (request, _) =>
        {
            var text = $"{Encoding.UTF8.GetString(request.Body.Span).ToUpperInvariant()}|{request.Subject}|{request.ContentType}|{request.Headers.GetValueOrDefault("k")}|{request.Headers.Count}";
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes(text));
        }));
        await using var client = await PlainClient.ConnectAsync(TestHosts.Port(host));

        // What Proton sends for a str body: an amqp-value string; a string message-id; a non-string property (dropped).
        var fromProton = AmqpMessage.Create("hello");
        fromProton.Properties = new Properties { MessageId = "id-1", To = "shout", ReplyTo = client.ReplyTo, Subject = "op", ContentType = new AmqpSymbol("text/plain") };
        fromProton.ApplicationProperties = new() { ["k"] = "v", ["n"] = 7 };
        var reply = await client.RequestAsync(fromProton);
        Assert.Equal("id-1", reply.Properties?.CorrelationId);
        Assert.Equal("HELLO|op|text/plain|v|1", Encoding.UTF8.GetString(reply.BodyBytes!.Value.Span));

        // Data sections (two are joined), a ulong id; no subject, content type or properties.
        var data = new AmqpMessage { Data = [Encoding.UTF8.GetBytes("ab"), Encoding.UTF8.GetBytes("cd")] };
        data.Properties = new Properties { MessageId = 42UL, To = "shout", ReplyTo = client.ReplyTo };
        reply = await client.RequestAsync(data);
        Assert.Equal(42UL, reply.Properties?.CorrelationId);
        Assert.Equal("ABCD||||0", Encoding.UTF8.GetString(reply.BodyBytes!.Value.Span));

        // An amqp-value binary, a uuid id.
        var id = Guid.NewGuid();
        var binary = AmqpMessage.Create(Encoding.UTF8.GetBytes("xyz"));
        binary.Properties = new Properties { MessageId = id, To = "shout", ReplyTo = client.ReplyTo };
        reply = await client.RequestAsync(binary);
        Assert.Equal(id, reply.Properties?.CorrelationId);
        Assert.Equal("XYZ||||0", Encoding.UTF8.GetString(reply.BodyBytes!.Value.Span));
    }

    [Fact]
    public async Task MapService_MalformedApplicationProperties_RejectedAsDecodeErrorBeforeTheHandler()
    {
        await using var hosts = new TestHosts();
        var called = 0;
        var host = await hosts.StartAsync("server", van => van.MapService("svc", (_, _) =>
        {
            Interlocked.Increment(ref called);
            return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        }));
        await using var client = await PlainClient.ConnectAsync(TestHosts.Port(host));

        // Properties (to = "svc"), then application properties whose key is a symbol, not a string.
        using var buffer = new AmqpBuffer();
        var message = new AmqpMessage { Properties = new Properties { To = "svc" } };
        message.Encode(buffer);
        var writer = new AmqpWriter(buffer);
        writer.WriteDescriptor(Descriptors.ApplicationProperties);
        var map = writer.BeginMap();
        writer.WriteSymbol(new AmqpSymbol("k"));
        writer.WriteString("v");
        writer.EndMap(map, 1);

        var outcome = Assert.IsType<Rejected>(await client.SendAsync(buffer.ToArray()));
        Assert.Equal(ErrorCondition.DecodeError, outcome.Error?.Condition);
        Assert.Equal(0, Volatile.Read(ref called));
    }

    [Fact]
    public async Task RequestAsync_ToPlainAmqpConsumer_MessageDecodesAsDocumentedAndReplyCompletesTheCall()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("caller");
        await using var consumer = await PlainClient.ConnectAsync(TestHosts.Port(host), consume: "plain");
        await TestHosts.WaitForAsync(host, "plain");

        var options = new VanCallOptions { Subject = "Get", Timeout = TimeSpan.FromSeconds(20), Headers = new Dictionary<string, string> { ["tenant"] = "t1" } };
        var call = TestHosts.Client(host).RequestAsync<Receipt, Receipt>("plain", new Receipt("apple", 3, "caller"), options);

        var request = await consumer.ReceiveAsync();
        Assert.Equal("plain", request.Properties?.To);
        Assert.IsType<ulong>(request.Properties?.MessageId);
        Assert.StartsWith("_van/node/", request.Properties?.ReplyTo, StringComparison.Ordinal);
        Assert.Equal("Get", request.Properties?.Subject);
        Assert.Equal("application/json", request.Properties?.ContentType?.Value);
        Assert.Null(request.Properties?.CorrelationId);
        Assert.Equal(20_000u, request.Header?.Ttl);
        Assert.Equal("t1", request.ApplicationProperties?["tenant"]);
        var body = Assert.Single(request.Data!);
        Assert.Contains("\"apple\"", Encoding.UTF8.GetString(body.Span), StringComparison.Ordinal);

        var reply = AmqpMessage.CreateData(Encoding.UTF8.GetBytes("""{"Item":"pear","Quantity":5,"Node":"plain"}"""));
        reply.Properties = new Properties { To = request.Properties!.ReplyTo, CorrelationId = request.Properties.MessageId };
        Assert.IsType<Accepted>(await consumer.SendAsync(reply.ToArray()));
        Assert.Equal(new Receipt("pear", 5, "plain"), await TestHosts.Within(call.AsTask(), "the reply"));
    }

    /// <summary>A plain AMQP client of a node: an anonymous sender, and a receiver for replies or for an address it consumes.</summary>
    private sealed class PlainClient : IAsyncDisposable
    {
        private readonly AmqpConnection _connection;
        private readonly SenderLink _sender;
        private readonly ReceiverLink _receiver;

        private PlainClient(AmqpConnection connection, SenderLink sender, ReceiverLink receiver)
        {
            _connection = connection;
            _sender = sender;
            _receiver = receiver;
        }

        public string ReplyTo => _receiver.Address!;

        public static async Task<PlainClient> ConnectAsync(int port, string? consume = null)
        {
            using var timeout = new CancellationTokenSource(TestHosts.Deadline);
            var transport = await AmqpConnector.ConnectAsync("127.0.0.1", port, timeout.Token);
            var connection = await AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions { ContainerId = "plain-" + Guid.NewGuid().ToString("N")[..8] }, timeout.Token);
            var session = await connection.BeginSessionAsync(timeout.Token);
            var receiver = await session.OpenReceiverAsync("in", consume, credit: 10, dynamic: consume is null, cancellationToken: timeout.Token);
            var sender = await session.OpenSenderAsync("out", null, SenderSettleMode.Unsettled, timeout.Token);
            return new PlainClient(connection, sender, receiver);
        }

        public async Task<DeliveryState?> SendAsync(byte[] message)
        {
            using var timeout = new CancellationTokenSource(TestHosts.Deadline);
            return await _sender.SendAsync(message, timeout.Token);
        }

        /// <summary>The next message, checked to be exactly what <see cref="AmqpMessage"/> encodes for its content.</summary>
        public async Task<AmqpMessage> ReceiveAsync()
        {
            using var timeout = new CancellationTokenSource(TestHosts.Deadline);
            var delivery = await _receiver.ReceiveAsync(timeout.Token);
            _receiver.Accept(delivery);
            var message = AmqpMessage.Decode(delivery.Payload.Span);
            Assert.Equal(Convert.ToHexString(message.ToArray()), Convert.ToHexString(delivery.Payload.Span));
            return message;
        }

        public async Task<AmqpMessage> RequestAsync(AmqpMessage request)
        {
            Assert.IsType<Accepted>(await SendAsync(request.ToArray()));
            return await ReceiveAsync();
        }

        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _connection.CloseAsync(cancellationToken: timeout.Token);
            }
            catch (Exception e) when (e is AmqpException or OperationCanceledException or IOException)
            {
                // Leaving anyway.
            }

            await _connection.DisposeAsync();
        }
    }
}
