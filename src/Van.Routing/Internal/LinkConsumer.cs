using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;

namespace Van.Routing.Internal;

/// <summary>A client's receiver link: we are its sender, and its credit is the consumer's capacity.</summary>
internal sealed class LinkConsumer(string address, SenderLink link, int advertisedCapacity) : Consumer(address)
{
    public SenderLink Link { get; } = link;

    public override bool HasCredit => Link.LinkCredit > (uint)Outstanding;

    public override int Capacity { get; } = advertisedCapacity;

    public override bool IsAlive => !Link.IsDetached;

    public override bool IsExternal => true;

    protected override ValueTask<DeliveryState?> DeliverCoreAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        new(Link.SendAsync(message, cancellationToken));
}
