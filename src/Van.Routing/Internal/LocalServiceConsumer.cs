using System.Runtime.CompilerServices;
using Van.Core.Amqp.Framing;

namespace Van.Routing.Internal;

/// <summary>An in-process service: its capacity is the concurrency it declared.</summary>
internal sealed class LocalServiceConsumer(string address, LocalServiceHandler handler, int capacity, CancellationToken stopping) : Consumer(address)
{
    private volatile bool _removed;

    public override bool HasCredit => Outstanding < Capacity;

    public override int Capacity { get; } = capacity;

    public override bool IsAlive => !_removed;

    public override bool IsExternal => false;

    public void Remove() => _removed = true;

    /// <summary>
    /// Delivers a copy nobody waits for (multicast), counted until it ends. True when it ended before this returned,
    /// so the handler is done with <paramref name="message"/>; otherwise it ends in the background (one task, rather
    /// than the state machines of <see cref="Consumer.DeliverAsync"/> and of a caller awaiting it). At most once:
    /// whatever became of it is nobody's to hear.
    /// </summary>
    public bool DeliverDetached(ReadOnlyMemory<byte> message)
    {
        BeginDelivery();
        ValueTask<DeliveryState> delivering;
        try
        {
            delivering = handler(message, stopping);
            if (delivering.IsCompleted)
            {
                delivering.GetAwaiter().GetResult(); // read once: it may be a pooled source
                EndDelivery();
                return true;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            EndDelivery();
            return true;
        }

        _ = EndLaterAsync(delivering);
        return false;
    }

    private async Task EndLaterAsync(ValueTask<DeliveryState> delivering)
    {
        try
        {
            await delivering;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // At most once.
        }
        finally
        {
            EndDelivery();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<DeliveryState?> DeliverCoreAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        try
        {
            return await handler(message, stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A handler that throws must not take the node down or leave the sender waiting.
            return new Rejected { Error = new Error { Condition = ErrorCondition.InternalError, Description = $"The service at '{Address}' failed: {e.Message}" } };
        }
    }
}
