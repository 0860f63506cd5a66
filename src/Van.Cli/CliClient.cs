using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Transport;
using Van.Routing;

namespace Van.Cli;

/// <summary>An ordinary AMQP client of one node, as <c>van request</c> and <c>van status</c> use it: requests go out on an anonymous sender, replies come back on a dynamic receiver.</summary>
internal sealed class CliClient : IAsyncDisposable
{
    private readonly AmqpConnection _connection;
    private readonly SenderLink _sender;
    private readonly ReceiverLink _receiver;

    private CliClient(AmqpConnection connection, SenderLink sender, ReceiverLink receiver)
    {
        _connection = connection;
        _sender = sender;
        _receiver = receiver;
    }

    public string ReplyTo => _receiver.Address!;

    public static async Task<CliClient> ConnectAsync(ClientTarget target, CancellationToken cancellationToken)
    {
        var endpoint = target.Endpoint;
        var tls = endpoint.UseTls
            ? AmqpTls.ClientOptions(endpoint.Host, target.Certificate, target.TrustedAuthorities!, checkHostName: true)
            : null;
        var transport = await AmqpConnector.ConnectAsync(endpoint.Host, endpoint.Port, tls, cancellationToken);
        var connection = await AmqpConnection.ConnectAsync(
            transport,
            new AmqpConnectionOptions { ContainerId = $"van-cli-{Environment.ProcessId}", Hostname = endpoint.Host, Sasl = target.Sasl },
            cancellationToken);
        var session = await connection.BeginSessionAsync(cancellationToken);
        var receiver = await session.OpenReceiverAsync("replies", null, credit: 100, dynamic: true, cancellationToken: cancellationToken);
        var sender = await session.OpenSenderAsync("requests", null, SenderSettleMode.Unsettled, cancellationToken);
        return new CliClient(connection, sender, receiver);
    }

    /// <summary>Sends a request and waits for its outcome, then for the reply correlated with it.</summary>
    public async Task<AmqpMessage> RequestAsync(string address, object? body, string messageId, CancellationToken cancellationToken)
    {
        var request = AmqpMessage.Create(body);
        request.Properties = new Properties { MessageId = messageId, To = address, ReplyTo = ReplyTo };
        var outcome = await _sender.SendAsync(request.ToArray(), cancellationToken);
        switch (outcome)
        {
            case Accepted:
                break;
            case Rejected rejected:
                throw new AmqpException(rejected.Error ?? new Error { Condition = ErrorCondition.InternalError, Description = "rejected" });
            default:
                throw new AmqpException(new Error { Condition = VanErrors.NoRoute, Description = $"The request to '{address}' was {outcome?.GetType().Name.ToLowerInvariant() ?? "not settled"}." });
        }

        while (true)
        {
            var delivery = await _receiver.ReceiveAsync(cancellationToken);
            _receiver.Accept(delivery);
            var reply = AmqpMessage.Decode(delivery.Payload.Span);
            if (Equals(reply.Properties?.CorrelationId, messageId))
            {
                return reply;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _connection.CloseAsync(cancellationToken: bound.Token);
        }
        catch (Exception e) when (e is AmqpException or OperationCanceledException or IOException)
        {
            // Leaving anyway.
        }

        await _connection.DisposeAsync();
    }
}
