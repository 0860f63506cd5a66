using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Routing.Internal;

namespace Van.Routing;

public sealed partial class VanRouter
{
    /// <summary>
    /// Decides on a link an ordinary AMQP client attaches: producers to an address it may send to (or anonymous relay,
    /// checked per message), consumers of one it may consume, or of a fresh reply address (dynamic). Never the routing
    /// control or data links, so a client cannot take part in routing (nor advertise addresses but by consuming them).
    /// </summary>
    internal Error? OnClientLinkAttaching(RouterConnection rc, AmqpLink link)
    {
        if (link.Role == LinkRole.Receiver)
        {
            // The client sends. A null target is an anonymous-relay link: each message's 'to' names its address.
            var target = link.RemoteAttach?.Target?.Address;
            return target is null ? null : Refused(ClientSendRefusal(target), target);
        }

        var source = link.RemoteAttach?.Source;
        if (source is { Dynamic: true })
        {
            link.LocalSource = new Source
            {
                Address = NewReplyAddress(),
                Dynamic = true,
                Durable = source.Durable,
                ExpiryPolicy = source.ExpiryPolicy,
                Timeout = source.Timeout,
            };
            return null;
        }

        var address = source?.Address;
        if (string.IsNullOrEmpty(address))
        {
            return new Error { Condition = ErrorCondition.InvalidField, Description = "A receiving link needs a source address, or dynamic=true for a reply address." };
        }

        return Refused(ClientConsumeRefusal(address), address);

        Error? Refused(Error? error, string address)
        {
            if (error is not null)
            {
                Log.ClientRefused(_logger, NodeId, rc.ToString(), address, error.Condition.Value);
            }

            return error;
        }
    }

    internal void OnClientLinkAttached(RouterConnection rc, AmqpLink link)
    {
        if (link is ReceiverLink receiver)
        {
            var producer = new ProducerLink(receiver, receiver.RemoteAttach?.Target?.Address, _options.ProducerCredit);
            receiver.SetReusingDeliveryHandler(d => OnClientDelivery(producer, d));
            receiver.SetCredit((uint)_options.ProducerCredit, autoRefill: false);
            return;
        }

        var sender = (SenderLink)link;
        var address = sender.LocalSource?.Address ?? sender.RemoteAttach?.Source?.Address;
        if (address is null)
        {
            return;
        }

        var consumer = new LinkConsumer(address, sender, _options.ConsumerCapacity);
        AddConsumer(consumer);
        _ = sender.Detached.ContinueWith(_ => RemoveConsumer(consumer), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
