using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>An unsettled delivery we sent, waiting for the receiver's outcome.</summary>
internal sealed class OutgoingDelivery
{
    private readonly TaskCompletionSource<DeliveryState?> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public OutgoingDelivery(SenderLink link, uint deliveryId)
    {
        Link = link;
        DeliveryId = deliveryId;
    }

    public SenderLink Link { get; }

    public uint DeliveryId { get; }

    public DeliveryState? State { get; set; }

    public bool Settled { get; set; }

    public Task<DeliveryState?> Outcome => _outcome.Task;

    public void CompleteIfSettled()
    {
        if (Settled)
        {
            _outcome.TrySetResult(State);
        }
    }

    public void Fail(Exception exception) => _outcome.TrySetException(exception);
}
