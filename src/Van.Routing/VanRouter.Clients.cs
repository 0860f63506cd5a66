using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Routing.Internal;

namespace Van.Routing;

public sealed partial class VanRouter
{
    /// <summary>Decides on a link an ordinary AMQP client attaches: producers to any address, consumers of one.</summary>
    internal Error? OnClientLinkAttaching(RouterConnection rc, AmqpLink link)
    {
        if (link.Role == LinkRole.Receiver)
        {
            // The client sends. A null target is an anonymous-relay link: each message's 'to' names its address.
            var target = link.RemoteAttach?.Target?.Address;
            return target is RouterConnection.ControlAddress or RouterConnection.DataAddress
                ? new Error { Condition = ErrorCondition.NotAllowed, Description = $"'{target}' is reserved for links between nodes." }
                : null;
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

        if (address.StartsWith(NodeAddressPrefix, StringComparison.Ordinal) && !address.StartsWith(_nodeAddressPrefix, StringComparison.Ordinal))
        {
            return new Error { Condition = ErrorCondition.NotAllowed, Description = $"'{address}' belongs to another node; consume it there." };
        }

        return address is RouterConnection.ControlAddress or RouterConnection.DataAddress or StatusAddress
            ? new Error { Condition = ErrorCondition.NotAllowed, Description = $"'{address}' is reserved." }
            : null;
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
