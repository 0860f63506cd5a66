using System.Collections.Concurrent;
using System.Text;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;

namespace EngineDemo;

/// <summary>
/// A one-node message switch on top of the engine: consumers attach receivers to addresses, producers send to an
/// address (or anonymously, with `to` per message), and a built-in "upper" service answers requests. A message
/// for an address nobody consumes is released at once, so the caller learns "no route" without waiting.
/// (The real router, with many nodes, costs and failover, is Van.Routing's job.)
/// </summary>
internal sealed class DemoSwitch : AmqpConnectionHandler
{
    private readonly ConcurrentDictionary<string, SenderLink> _consumers = new(StringComparer.Ordinal);

    public override void OnLinkAttached(AmqpLink link)
    {
        if (link is SenderLink consumer && link.Address is { } address)
        {
            _consumers[address] = consumer;
            _ = consumer.Detached.ContinueWith(_ => _consumers.TryRemove(new KeyValuePair<string, SenderLink>(address, consumer)), TaskScheduler.Default);
        }
        else if (link is ReceiverLink producer)
        {
            producer.SetDeliveryHandler(d => OnMessage(producer, d));
            producer.SetCredit(100);
        }
    }

    private void OnMessage(ReceiverLink producer, AmqpDelivery delivery)
    {
        var reader = MessageReader.Create(delivery.Payload.Span);
        var address = producer.Address ?? (reader.TryGetTo(out var to) ? Encoding.UTF8.GetString(to) : null);
        if (address == "upper")
        {
            var request = AmqpMessage.Decode(delivery.Payload.Span);
            producer.Accept(delivery);
            var reply = AmqpMessage.Create((request.Value as string ?? "").ToUpperInvariant());
            reply.Properties = new Properties { To = request.Properties?.ReplyTo, CorrelationId = request.Properties?.MessageId };
            Forward(reply.Properties.To, reply.ToArray(), null, null);
            return;
        }

        Forward(address, delivery.Payload, producer, delivery);
    }

    private void Forward(string? address, ReadOnlyMemory<byte> message, ReceiverLink? from, AmqpDelivery? delivery)
    {
        if (address is null || !_consumers.TryGetValue(address, out var consumer) || consumer.LinkCredit == 0)
        {
            // No route (or no capacity): say so now rather than leave the sender waiting.
            if (from is not null && delivery is not null)
            {
                from.Release(delivery);
            }

            return;
        }

        // The body bytes go out exactly as they came in.
        var send = consumer.SendAsync(message);
        if (from is not null && delivery is not null)
        {
            _ = send.ContinueWith(t => from.Settle(delivery, t.IsCompletedSuccessfully ? t.Result ?? Accepted.Instance : Released.Instance), TaskScheduler.Default);
        }
    }

}
