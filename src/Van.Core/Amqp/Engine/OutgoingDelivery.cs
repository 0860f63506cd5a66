using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>
/// An unsettled delivery we sent, waiting for the receiver's outcome: completed through a task (a
/// <see cref="SenderLink.SendAsync(ReadOnlyMemory{byte}, bool, CancellationToken)"/>), or through an
/// <see cref="IDeliveryOutcomeSink"/> (a <see cref="SenderLink.TrySend"/>), in which case the session reuses the instance
/// once the outcome is handed over.
/// </summary>
internal sealed class OutgoingDelivery
{
    private TaskCompletionSource<DeliveryState?>? _outcome;

    private OutgoingDelivery(SenderLink link, uint deliveryId)
    {
        Link = link;
        DeliveryId = deliveryId;
    }

    public SenderLink Link { get; private set; }

    public uint DeliveryId { get; private set; }

    public DeliveryState? State { get; set; }

    public bool Settled { get; set; }

    /// <summary>Where the outcome goes, for a delivery sent with a sink; null for one completed through a task.</summary>
    public IDeliveryOutcomeSink? Sink { get; private set; }

    /// <summary>The sink's token for this delivery.</summary>
    public int Token { get; private set; }

    /// <summary>The outcome, for a delivery completed through a task.</summary>
    public Task<DeliveryState?> Outcome => _outcome!.Task;

    /// <summary>A delivery whose outcome completes a task.</summary>
    public static OutgoingDelivery WithTask(SenderLink link, uint deliveryId) =>
        new(link, deliveryId) { _outcome = new TaskCompletionSource<DeliveryState?>(TaskCreationOptions.RunContinuationsAsynchronously) };

    /// <summary>A delivery whose outcome goes to <paramref name="sink"/>: <paramref name="reused"/> when the session has one to spare.</summary>
    public static OutgoingDelivery WithSink(OutgoingDelivery? reused, SenderLink link, uint deliveryId, IDeliveryOutcomeSink sink, int token)
    {
        var delivery = reused ?? new OutgoingDelivery(link, deliveryId);
        delivery.Link = link;
        delivery.DeliveryId = deliveryId;
        delivery.State = null;
        delivery.Settled = false;
        delivery.Sink = sink;
        delivery.Token = token;
        return delivery;
    }

    /// <summary>Drops what a sink delivery refers to before the session keeps it for reuse.</summary>
    public void Clear()
    {
        Sink = null;
        State = null;
    }

    public void CompleteIfSettled()
    {
        if (Settled)
        {
            _outcome?.TrySetResult(State);
        }
    }

    public void Fail(Exception exception) => _outcome?.TrySetException(exception);
}
