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
