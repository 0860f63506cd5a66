using System.Threading.Channels;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>
/// The receiving end of a link. Grants credit, reassembles multi-frame deliveries, and settles them. Deliveries go
/// either to <see cref="ReceiveAsync"/> or, when <see cref="SetDeliveryHandler"/> was called, straight to a
/// handler on the connection's reader loop (the router's path: no queue, no thread hop).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The reassembly buffer is returned to its pool when the link terminates.")]
public sealed class ReceiverLink : AmqpLink
{
    private readonly Channel<AmqpDelivery> _deliveries = Channel.CreateUnbounded<AmqpDelivery>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly AmqpBuffer _partial = new(1024);
    private readonly List<TaskCompletionSource> _drainWaiters = [];
    private Action<AmqpDelivery>? _handler;
    private Stack<AmqpDelivery>? _spareDeliveries;
    private volatile bool _inHandler;
    private volatile bool _partialDisposeDeferred;
    private uint _deliveryCount;
    private uint _credit;
    private uint _targetCredit;
    private bool _autoRefill;
    private bool _drain;
    private bool _inProgress;
    private bool _discarding;
    private uint _partialId;
    private DeliveryTag _partialTag;
    private bool _partialSettled;
    private uint _partialFormat;

    internal ReceiverLink(AmqpSession session, string name) : base(session, name, LinkRole.Receiver)
    {
        MaxUnsettled = session.Connection.Options.MaxUnsettledPerLink;
    }

    /// <summary>
    /// Unsettled deliveries this link holds before it is detached with <c>amqp:resource-limit-exceeded</c>: the
    /// connection's <see cref="AmqpConnectionOptions.MaxUnsettledPerLink"/> unless raised for a link whose senders are
    /// bounded otherwise (a router's inter-node data link). Set it before granting credit.
    /// </summary>
    internal int MaxUnsettled { get; set; }

    /// <summary>Deliveries received on this link that the session still tracks as unsettled. Guarded by the lock.</summary>
    internal int UnsettledCount { get; set; }

    /// <summary>Credit granted and not yet used by the sender.</summary>
    public uint Credit
    {
        get
        {
            lock (SyncRoot)
            {
                return _credit;
            }
        }
    }

    /// <summary>
    /// Sends deliveries to <paramref name="handler"/> on the reader loop instead of queueing them. Set it before
    /// granting credit. The handler must not block; it owns settling and granting further credit.
    /// </summary>
    public void SetDeliveryHandler(Action<AmqpDelivery> handler) => _handler = handler ?? throw new ArgumentNullException(nameof(handler));

    /// <summary>
    /// As <see cref="SetDeliveryHandler"/>, but nothing is allocated per message: a delivery's
    /// <see cref="AmqpDelivery.Payload"/> is the link's reassembly buffer, valid only while the handler runs (copy what
    /// you keep), and a delivery settled with <see cref="SettleAndRecycle"/> is reused for a later one, so it must not be
    /// touched after that call. A router's data links use it.
    /// </summary>
    internal void SetReusingDeliveryHandler(Action<AmqpDelivery> handler)
    {
        _spareDeliveries = new Stack<AmqpDelivery>();
        SetDeliveryHandler(handler);
    }

    /// <summary>Grants <paramref name="credit"/> (replacing what is left); with <paramref name="autoRefill"/>, credit is topped up as messages are taken.</summary>
    public void SetCredit(uint credit, bool autoRefill = true)
    {
        lock (SyncRoot)
        {
            SetCreditLocked(credit, autoRefill, sendFlow: true);
        }
    }

    /// <summary>Adds credit.</summary>
    public void AddCredit(uint credit)
    {
        lock (SyncRoot)
        {
            _credit += credit;
            SendFlowLocked();
        }
    }

    internal void SetCreditLocked(uint credit, bool autoRefill, bool sendFlow)
    {
        _credit = credit;
        _targetCredit = credit;
        _autoRefill = autoRefill;
        if (sendFlow)
        {
            SendFlowLocked();
        }
    }

    private void SendFlowLocked()
    {
        if (LocalHandle is not null && RemoteHandle is not null && !IsDetached && !Session.IsEnded && !Session.Connection.IsClosed)
        {
            Session.SendFlow(this);
        }
    }

    /// <summary>Asks the sender to use up or give back all credit (§2.6.7), and waits until it has.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        Task wait;
        lock (SyncRoot)
        {
            if (_credit == 0)
            {
                return;
            }

            _drain = true;
            _autoRefill = false;
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drainWaiters.Add(waiter);
            wait = waiter.Task;
            SendFlowLocked();
        }

        await wait.WaitAsync(cancellationToken);
    }

    /// <summary>Waits for the next delivery.</summary>
    public async ValueTask<AmqpDelivery> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        if (_handler is not null)
        {
            throw new InvalidOperationException("This link delivers to a handler; ReceiveAsync is not available.");
        }

        try
        {
            var delivery = await _deliveries.Reader.ReadAsync(cancellationToken);
            RefillAfterTake();
            return delivery;
        }
        catch (ChannelClosedException e)
        {
            throw e.InnerException as AmqpException ?? new AmqpException(Error ?? new Error { Condition = ErrorCondition.DetachForced, Description = "The link is detached." });
        }
    }

    private void RefillAfterTake()
    {
        lock (SyncRoot)
        {
            if (!_autoRefill || _targetCredit == 0)
            {
                return;
            }

            // Keep credit + queued at the target, topping up in batches of half the target.
            var queued = (uint)_deliveries.Reader.Count;
            var outstanding = _credit + queued;
            if (outstanding <= _targetCredit / 2)
            {
                _credit = _targetCredit - queued;
                SendFlowLocked();
            }
        }
    }

    /// <summary>Accepts the delivery (settling it, in rcv-settle-mode first).</summary>
    public void Accept(AmqpDelivery delivery) => Settle(delivery, Accepted.Instance);

    /// <summary>Rejects the delivery with an error.</summary>
    public void Reject(AmqpDelivery delivery, Error? error = null) => Settle(delivery, new Rejected { Error = error });

    /// <summary>Releases the delivery (not processed; it may go elsewhere).</summary>
    public void Release(AmqpDelivery delivery) => Settle(delivery, Released.Instance);

    /// <summary>Modifies the delivery (not processed; failed and/or undeliverable here).</summary>
    public void Modify(AmqpDelivery delivery, bool deliveryFailed, bool undeliverableHere = false) =>
        Settle(delivery, new Modified { DeliveryFailed = deliveryFailed, UndeliverableHere = undeliverableHere });

    /// <summary>Sends the outcome for a delivery and settles it (in rcv-settle-mode second, the sender settles first).</summary>
    public void Settle(AmqpDelivery delivery, DeliveryState state)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(state);
        lock (SyncRoot)
        {
            SettleLocked(delivery, state);
        }
    }

    /// <summary>
    /// Settles with <paramref name="state"/> (none for a pre-settled delivery: null), then keeps the delivery for reuse
    /// if it came through <see cref="SetReusingDeliveryHandler"/> and is settled at both ends (one still waiting for the
    /// sender, in rcv-settle-mode second, is left to the garbage collector). The caller must not touch it afterwards.
    /// </summary>
    internal void SettleAndRecycle(AmqpDelivery delivery, DeliveryState? state)
    {
        lock (SyncRoot)
        {
            if (state is not null)
            {
                SettleLocked(delivery, state);
            }

            // Remote-settled deliveries are not (or no longer) tracked by the session; locally settled ones were forgotten.
            if (_spareDeliveries is { } spare && delivery.Link == this && !delivery.Pooled
                && (delivery.LocalSettled || delivery.RemoteSettled) && spare.Count < MaxSpareDeliveries)
            {
                delivery.Reset(0, default, 0, false, default);
                delivery.Pooled = true;
                spare.Push(delivery);
            }
        }
    }

    /// <summary>Deliveries kept for reuse, at most: about a link's credit.</summary>
    private const int MaxSpareDeliveries = 1024;

    private void SettleLocked(AmqpDelivery delivery, DeliveryState state)
    {
        if (delivery.LocalSettled || delivery.LocalState is not null)
        {
            return;
        }

        delivery.LocalState = state;
        if (delivery.RemoteSettled || IsDetached || Session.IsEnded || Session.Connection.IsClosed)
        {
            delivery.LocalSettled = true;
            Session.ForgetIncoming(delivery.DeliveryId);
            return;
        }

        var second = LocalAttach?.RcvSettleMode == ReceiverSettleMode.Second;
        Session.WriteDispositionLocked(LinkRole.Receiver, delivery.DeliveryId, settled: !second, state);
        if (!second)
        {
            delivery.LocalSettled = true;
            Session.ForgetIncoming(delivery.DeliveryId);
        }
    }

    internal override void FillFlow(Flow flow)
    {
        flow.Handle = LocalHandle;
        flow.DeliveryCount = _deliveryCount;
        flow.LinkCredit = _credit;
        flow.Drain = _drain;
    }

    private protected override void OnRemoteAttachedLocked(Attach attach)
    {
        _deliveryCount = attach.InitialDeliveryCount ?? 0;
    }

    internal override void OnFlow(Flow flow)
    {
        List<TaskCompletionSource>? drained = null;
        lock (SyncRoot)
        {
            if (flow.DeliveryCount is { } senderCount)
            {
                // The sender may advance its delivery-count (a drain): credit shrinks by as much.
                var advanced = unchecked(senderCount - _deliveryCount);
                if (advanced <= _credit)
                {
                    _credit -= advanced;
                    _deliveryCount = senderCount;
                }
            }

            if (_drain && _credit == 0)
            {
                _drain = false;
                drained = [.. _drainWaiters];
                _drainWaiters.Clear();
            }

            if (flow.Echo)
            {
                SendFlowLocked();
            }
        }

        if (drained is not null)
        {
            foreach (var w in drained)
            {
                w.TrySetResult();
            }
        }
    }

    /// <summary>Handles one transfer frame; returns an error when the connection must close.</summary>
    internal Error? OnTransfer(Transfer transfer, ReadOnlySpan<byte> payload)
    {
        AmqpDelivery? delivery;
        lock (SyncRoot)
        {
            if (!_inProgress)
            {
                if (transfer.DeliveryId is not { } id)
                {
                    return Fail(ErrorCondition.InvalidField, "The first transfer of a delivery has no delivery-id.");
                }

                _inProgress = true;
                _partialId = id;
                _partialTag = transfer.DeliveryTag ?? default;
                _partialSettled = transfer.Settled ?? false;
                _partialFormat = transfer.MessageFormat ?? 0;
                _partial.Reset();
                _discarding = IsDetached;
                if (!_discarding)
                {
                    var maxUnsettled = MaxUnsettled;
                    if (_credit == 0)
                    {
                        _discarding = true;
                        DetachWithError(ErrorCondition.TransferLimitExceeded, "A transfer arrived without link credit.");
                    }
                    else if (!_partialSettled && UnsettledCount >= maxUnsettled)
                    {
                        // Judged on the first frame, so an in-progress delivery never pushes the count past the limit.
                        _discarding = true;
                        DetachWithError(ErrorCondition.ResourceLimitExceeded,
                            $"Delivery {id} would be unsettled delivery {UnsettledCount + 1} on the link, over max-unsettled-per-link {maxUnsettled}.");
                    }
                    else
                    {
                        _credit--;
                        _deliveryCount++;
                    }
                }
            }
            else if (transfer.DeliveryId is { } id && id != _partialId)
            {
                return Fail(ErrorCondition.InvalidField, $"A continuation transfer names delivery {id} while delivery {_partialId} is incomplete.");
            }

            if (transfer.Settled == true)
            {
                _partialSettled = true;
            }

            if (transfer.Aborted)
            {
                // §2.6.14: an aborted delivery is dropped; its credit is spent.
                _inProgress = false;
                _partial.Reset();
                return null;
            }

            if (!_discarding)
            {
                var max = LocalAttach?.MaxMessageSize is { } m and > 0 ? m : ulong.MaxValue;
                var size = (ulong)(_partial.Length + payload.Length);
                if (size > max)
                {
                    _discarding = true;
                    _partial.Reset();
                    DetachWithError(ErrorCondition.ResourceLimitExceeded,
                        $"Message of {(transfer.More ? "at least " : string.Empty)}{size} bytes exceeds max-message-size {max}.");
                }
                else
                {
                    payload.CopyTo(_partial.GetSpan(payload.Length));
                    _partial.Advance(payload.Length);
                }
            }

            if (transfer.More)
            {
                return null;
            }

            _inProgress = false;
            if (_discarding)
            {
                return null;
            }

            if (_spareDeliveries is { } spare)
            {
                // The payload is lent: it stays intact until the handler returns (see OnTerminatedLocked).
                if (spare.TryPop(out delivery))
                {
                    delivery.Reset(_partialId, _partialTag, _partialFormat, _partialSettled, _partial.WrittenMemory);
                }
                else
                {
                    delivery = new AmqpDelivery(this, _partialId, _partialTag, _partialFormat, _partialSettled, _partial.WrittenMemory);
                }

                _inHandler = true;
            }
            else
            {
                delivery = new AmqpDelivery(this, _partialId, _partialTag, _partialFormat, _partialSettled, _partial.ToArray());
            }

            if (!_partialSettled)
            {
                Session.TrackIncoming(delivery);
            }

            if (_handler is not null && _autoRefill && _credit <= _targetCredit / 2)
            {
                _credit = _targetCredit;
                SendFlowLocked();
            }
        }

        if (_handler is { } handler)
        {
            try
            {
                handler(delivery);
            }
            finally
            {
                if (_inHandler)
                {
                    _inHandler = false;
                    if (_partialDisposeDeferred)
                    {
                        lock (SyncRoot)
                        {
                            _partial.Dispose();
                        }
                    }
                }
            }
        }
        else
        {
            _deliveries.Writer.TryWrite(delivery);
        }

        return null;
    }

    private Error Fail(AmqpSymbol condition, string description)
    {
        Session.Connection.CloseWithError(condition, description);
        return new Error { Condition = condition, Description = description };
    }

    private protected override void OnTerminatedLocked(Error reason)
    {
        _credit = 0;
        _inProgress = false;

        // A handler reading a lent payload on the reader loop keeps the buffer until it returns. (If the two race, the
        // buffer may go to the garbage collector instead of back to its pool: harmless.)
        if (_inHandler)
        {
            _partialDisposeDeferred = true;
        }
        else
        {
            _partial.Dispose();
        }
    }

    private protected override void OnTerminatedUnlocked(AmqpException exception)
    {
        // Deliveries already queued can still be taken; after them, ReceiveAsync reports why the link ended.
        _deliveries.Writer.TryComplete(exception);
        List<TaskCompletionSource> waiters;
        lock (SyncRoot)
        {
            waiters = [.. _drainWaiters];
            _drainWaiters.Clear();
        }

        foreach (var w in waiters)
        {
            w.TrySetException(exception);
        }
    }
}
