using System.Runtime.CompilerServices;
using Van.Core.Amqp.Framing;

namespace Van.Routing.Internal;

/// <summary>Something on this node that takes messages for an address: a client's receiver link or an in-process service.</summary>
internal abstract class Consumer(string address)
{
    private int _outstanding;

    public string Address { get; } = address;

    /// <summary>Deliveries handed over and not yet settled.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>True when a delivery now would not wait: closest skips consumers without it.</summary>
    public abstract bool HasCredit { get; }

    /// <summary>What this consumer adds to the capacity the node advertises for the address.</summary>
    public abstract int Capacity { get; }

    public abstract bool IsAlive { get; }

    /// <summary>True when routing annotations must be removed before the message reaches it (a client).</summary>
    public abstract bool IsExternal { get; }

    /// <summary>
    /// Delivers; returns the outcome (null when sent pre-settled). Throws when the consumer went away. Awaited once (a
    /// pooled source): an in-process service that answers at once costs no allocation.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<DeliveryState?> DeliverAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        BeginDelivery();
        try
        {
            return await DeliverCoreAsync(message, cancellationToken);
        }
        finally
        {
            EndDelivery();
        }
    }

    /// <summary>Counts a delivery handed over some other way (a client link's immediate send) until <see cref="EndDelivery"/>.</summary>
    public void BeginDelivery() => Interlocked.Increment(ref _outstanding);

    /// <summary>The delivery counted by <see cref="BeginDelivery"/> is settled (or failed).</summary>
    public void EndDelivery() => Interlocked.Decrement(ref _outstanding);

    protected abstract ValueTask<DeliveryState?> DeliverCoreAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);
}
