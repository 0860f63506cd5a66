using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>
/// The sending end of a link. Sends wait for link credit and session window, split messages into frames that fit
/// the peer's max-frame-size, and (unless pre-settled) complete with the receiver's outcome once settled.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The semaphore never allocates a wait handle (no AvailableWaitHandle); nothing to dispose.")]
public sealed class SenderLink : AmqpLink
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Queue<TaskCompletionSource> _creditWaiters = new();
    private readonly Transfer _transfer = new();
    private uint _deliveryCount;
    private uint _linkCredit;
    private bool _drain;
    private ulong _nextTag;
    private bool _sending;
    private int _asyncSends;
    private Exception? _terminated;

    internal SenderLink(AmqpSession session, string name) : base(session, name, LinkRole.Sender)
    {
    }

    /// <summary>Credit the receiver has granted and we have not used.</summary>
    public uint LinkCredit
    {
        get
        {
            lock (SyncRoot)
            {
                return _linkCredit;
            }
        }
    }

    /// <summary>Raised (on the connection's reader loop) when the receiver grants credit. Keep it short.</summary>
    public event Action<SenderLink>? CreditAvailable;

    /// <summary>
    /// Sends a message and waits for its outcome: pre-settled when the link's sender-settle-mode is settled,
    /// unsettled otherwise. Returns the outcome the receiver settled with, or null for a pre-settled send.
    /// </summary>
    public Task<DeliveryState?> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
        SendAsync(message, LocalAttach?.SndSettleMode == SenderSettleMode.Settled, cancellationToken);

    /// <summary>Sends a message, pre-settled or not (the link's sender-settle-mode must allow it).</summary>
    public async Task<DeliveryState?> SendAsync(ReadOnlyMemory<byte> message, bool settled, CancellationToken cancellationToken = default)
    {
        CheckSendable(message.Length, settled);
        OutgoingDelivery? delivery;
        Interlocked.Increment(ref _asyncSends);
        try
        {
            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                delivery = await TransferAsync(message, settled, cancellationToken);
            }
            catch (AmqpException e) when (e is not AmqpDeliveryNotSentException)
            {
                // Nothing, or only part of a delivery the receiver must discard, went out: tell a router it may resend.
                throw new AmqpDeliveryNotSentException(e.Error, e);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _asyncSends);
        }

        return delivery is null ? null : await delivery.Outcome.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Sends a message now if nothing makes it wait, and returns false (having sent nothing) if something would: no
    /// link credit, no session window, a message that needs more than one frame, or another send in progress or
    /// waiting (sends stay in order). The message is copied into the connection's output before this returns. An
    /// unsettled message's outcome goes to <paramref name="sink"/>, with <paramref name="token"/>; a pre-settled one
    /// needs none. Nothing is allocated: this is a router's forwarding path, with
    /// <see cref="SendAsync(ReadOnlyMemory{byte}, bool, CancellationToken)"/> as the fallback when it returns false.
    /// </summary>
    /// <exception cref="AmqpDeliveryNotSentException">The link, session or connection has ended: nothing was sent.</exception>
    /// <exception cref="AmqpException">The message exceeds the receiver's max-message-size.</exception>
    /// <exception cref="InvalidOperationException">The link's sender-settle-mode does not allow <paramref name="settled"/>.</exception>
    internal bool TrySend(ReadOnlySpan<byte> message, bool settled, IDeliveryOutcomeSink? sink, int token)
    {
        CheckSendable(message.Length, settled);
        if (!settled)
        {
            ArgumentNullException.ThrowIfNull(sink);
        }

        lock (SyncRoot)
        {
            if (Volatile.Read(ref _asyncSends) != 0)
            {
                return false;
            }

            try
            {
                ThrowIfTerminated();
            }
            catch (AmqpException e)
            {
                throw new AmqpDeliveryNotSentException(e.Error, e);
            }

            if (_linkCredit == 0 || !Session.HasOutgoingWindow || !Session.Connection.FitsOneTransferFrame(message.Length))
            {
                return false;
            }

            StartDeliveryLocked(settled, settled ? null : sink, token);
            WriteFramesLocked(message, 0);
            return true;
        }
    }

    private void CheckSendable(int length, bool settled)
    {
        var mode = LocalAttach?.SndSettleMode ?? SenderSettleMode.Mixed;
        if ((settled && mode == SenderSettleMode.Unsettled) || (!settled && mode == SenderSettleMode.Settled))
        {
            throw new InvalidOperationException($"The link's sender-settle-mode is {mode}; it cannot send {(settled ? "pre-settled" : "unsettled")}.");
        }

        if (RemoteAttach?.MaxMessageSize is { } max and > 0 && (ulong)length > max)
        {
            throw new AmqpException(ErrorCondition.MessageSizeExceeded,
                $"A {length}-byte message exceeds the max-message-size {max} of the receiver at '{Address}'.");
        }
    }

    private async Task<OutgoingDelivery?> TransferAsync(ReadOnlyMemory<byte> message, bool settled, CancellationToken cancellationToken)
    {
        // First, credit and window: both are checked and taken under one lock, so a drain cannot slip between.
        OutgoingDelivery? delivery;
        while (true)
        {
            Task wait;
            lock (SyncRoot)
            {
                ThrowIfTerminated();
                if (_linkCredit > 0 && Session.HasOutgoingWindow)
                {
                    delivery = StartDeliveryLocked(settled, sink: null, token: 0);
                    break;
                }

                wait = _linkCredit == 0 ? EnqueueCreditWaiterLocked() : Session.WaitForWindowLocked();
            }

            await WaitUnlessDetachedAsync(wait, cancellationToken);
        }

        // Then the frames. Mid-message, a delivery cannot be left half-sent: when the peer's window closes we wait
        // for it (the wait fails if the link, session or connection ends), then go on or, if the caller gave up
        // meanwhile, abort the delivery (§2.6.14).
        var offset = 0;
        while (true)
        {
            Task wait;
            lock (SyncRoot)
            {
                ThrowIfTerminated();
                offset = WriteFramesLocked(message.Span, offset);
                if (offset < 0)
                {
                    return delivery;
                }

                wait = Session.WaitForWindowLocked();
            }

            await WaitUnlessDetachedAsync(wait, CancellationToken.None);
            if (cancellationToken.IsCancellationRequested)
            {
                AbortDelivery(delivery);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>Waits for <paramref name="wait"/>; a detach ends the wait too (the caller then finds the link gone).</summary>
    private async Task WaitUnlessDetachedAsync(Task wait, CancellationToken cancellationToken)
    {
        if (await Task.WhenAny(wait, Detached).WaitAsync(cancellationToken) == wait)
        {
            await wait;
        }
    }

    private Task EnqueueCreditWaiterLocked()
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _creditWaiters.Enqueue(waiter);
        return waiter.Task;
    }

    /// <summary>
    /// Takes credit and a delivery-id and fills the transfer. An unsettled delivery is tracked until its outcome, which
    /// goes to <paramref name="sink"/> when there is one, else to the returned delivery's task.
    /// </summary>
    private OutgoingDelivery? StartDeliveryLocked(bool settled, IDeliveryOutcomeSink? sink, int token)
    {
        _linkCredit--;
        _deliveryCount++;
        _sending = true;
        var id = Session.NextDeliveryId();
        _transfer.Handle = LocalHandle!.Value;
        _transfer.DeliveryId = id;
        _transfer.DeliveryTag = DeliveryTag.FromUInt64(_nextTag++);
        _transfer.MessageFormat = 0;
        _transfer.Settled = settled ? true : null;
        if (settled)
        {
            return null;
        }

        var delivery = sink is null ? OutgoingDelivery.WithTask(this, id) : Session.RentOutgoingLocked(this, id, sink, token);
        Session.TrackOutgoing(delivery);
        return delivery;
    }

    /// <summary>
    /// Writes frames from <paramref name="offset"/> while the peer's window allows, each filled up to its
    /// max-frame-size. Returns the offset reached, or -1 once the last frame is written.
    /// </summary>
    private int WriteFramesLocked(ReadOnlySpan<byte> message, int offset)
    {
        while (Session.HasOutgoingWindow)
        {
            _transfer.More = true;
            var chunk = Session.Connection.TransferPayloadCapacity(_transfer, message.Length - offset);
            _transfer.More = offset + chunk < message.Length;
            Session.WriteTransfer(_transfer, message.Slice(offset, chunk));
            offset += chunk;
            if (!_transfer.More)
            {
                _sending = false;
                DrainIfAskedLocked();
                return -1;
            }
        }

        return offset;
    }

    private void AbortDelivery(OutgoingDelivery? delivery)
    {
        lock (SyncRoot)
        {
            ThrowIfTerminated();
            _transfer.More = false;
            _transfer.Aborted = true;
            Session.WriteTransfer(_transfer, default);
            _transfer.Aborted = false;
            _sending = false;
            if (delivery is not null)
            {
                Session.ForgetOutgoing(delivery.DeliveryId);
            }

            DrainIfAskedLocked();
        }
    }

    private void ThrowIfTerminated()
    {
        if (_terminated is not null)
        {
            throw _terminated;
        }

        if (IsDetached)
        {
            throw new AmqpException(Error ?? new Error { Condition = ErrorCondition.DetachForced, Description = "The link is detached." });
        }
    }

    private void DrainIfAskedLocked()
    {
        if (_drain && !_sending && _creditWaiters.Count == 0 && _linkCredit > 0)
        {
            // §2.6.7: a drained sender with nothing to send uses up its credit and says so.
            _deliveryCount += _linkCredit;
            _linkCredit = 0;
            Session.SendFlow(this);
        }
    }

    internal override void FillFlow(Flow flow)
    {
        flow.Handle = LocalHandle;
        flow.DeliveryCount = _deliveryCount;
        flow.LinkCredit = _linkCredit;
        flow.Drain = _drain;
    }

    internal override void OnFlow(Flow flow)
    {
        List<TaskCompletionSource>? wake = null;
        var creditArrived = false;
        lock (SyncRoot)
        {
            if (flow.LinkCredit is { } credit)
            {
                // §2.6.7: credit = receiver's delivery-count + link-credit − our delivery-count.
                var receiverCount = flow.DeliveryCount ?? LocalAttach?.InitialDeliveryCount ?? 0;
                var available = unchecked(receiverCount + credit - _deliveryCount);
                _linkCredit = available > credit ? 0 : available;
                _drain = flow.Drain;
                creditArrived = _linkCredit > 0;
                if (creditArrived && _creditWaiters.Count > 0)
                {
                    wake = [.. _creditWaiters];
                    _creditWaiters.Clear();
                }
            }

            if (wake is null)
            {
                DrainIfAskedLocked();
            }

            if (flow.Echo)
            {
                Session.SendFlow(this);
            }
        }

        if (wake is not null)
        {
            foreach (var w in wake)
            {
                w.TrySetResult();
            }
        }

        if (creditArrived)
        {
            CreditAvailable?.Invoke(this);
        }
    }

    internal void OnDispositionLocked(OutgoingDelivery delivery, bool settled, DeliveryState? state)
    {
        delivery.State = state ?? delivery.State;
        if (settled)
        {
            delivery.Settled = true;
            Session.ForgetOutgoing(delivery.DeliveryId);
            return;
        }

        if (state is Accepted or Rejected or Released or Modified)
        {
            // The receiver decided but left settling to us (rcv-settle-mode second, or a receiver that never
            // settles first): settle, so both ends can forget the delivery.
            delivery.Settled = true;
            Session.ForgetOutgoing(delivery.DeliveryId);
            Session.WriteDispositionLocked(LinkRole.Sender, delivery.DeliveryId, settled: true, state);
        }
    }

    private protected override void OnTerminatedLocked(Error reason)
    {
        _terminated = new AmqpException(reason);
    }

    private protected override void OnTerminatedUnlocked(AmqpException exception)
    {
        List<TaskCompletionSource> waiters;
        lock (SyncRoot)
        {
            waiters = [.. _creditWaiters];
            _creditWaiters.Clear();
        }

        foreach (var w in waiters)
        {
            w.TrySetException(exception);
        }

        Session.FailOutgoing(this, exception);
    }
}
