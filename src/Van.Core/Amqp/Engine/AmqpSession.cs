using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>
/// An AMQP session: a channel pair with transfer-frame windows in each direction (§2.5.6), delivery ids, and the
/// links attached on it. All state is guarded by the connection lock.
/// </summary>
public sealed class AmqpSession
{
    private readonly AmqpConnection _connection;
    private readonly TaskCompletionSource<AmqpSession> _begun = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<uint, AmqpLink> _linksByRemoteHandle = [];
    private readonly Dictionary<string, AmqpLink> _pendingLocalAttaches = new(StringComparer.Ordinal);
    private readonly AmqpLink?[] _linksByLocalHandle;
    private readonly Dictionary<uint, OutgoingDelivery> _unsettledOutgoing = [];
    private readonly Dictionary<uint, AmqpDelivery> _unsettledIncoming = [];
    private readonly uint _windowSize;
    private readonly Queue<TaskCompletionSource> _windowWaiters = new();

    // Reused per frame, so a delivery's round trip allocates nothing: performatives are encoded under the lock at once,
    // sink deliveries come back here once their outcome is handed over, and the scratch lists belong to the reader loop
    // (the only caller of OnDisposition).
    private readonly Disposition _disposition = new();
    private readonly Flow _flow = new();
    private readonly Stack<OutgoingDelivery> _spareOutgoing = new();
    private readonly List<OutgoingDelivery> _outgoingInRange = [];
    private readonly List<AmqpDelivery> _incomingInRange = [];
    private readonly List<OutgoingDelivery> _taskCompletions = [];
    private readonly List<SinkCall> _sinkCalls = [];
    private uint _nextOutgoingId;
    private uint _nextIncomingId;
    private uint _incomingWindow;
    private uint _remoteIncomingWindow;
    private uint _remoteOutgoingWindow;
    private uint _nextDeliveryId;
    private uint _remoteHandleMax = uint.MaxValue;
    private bool _endSent;
    private bool _endReceived;
    private AmqpException? _terminated;

    internal AmqpSession(AmqpConnection connection, ushort localChannel, uint windowSize)
    {
        _connection = connection;
        LocalChannel = localChannel;
        _windowSize = windowSize;
        _incomingWindow = windowSize;
        _linksByLocalHandle = new AmqpLink?[Math.Min(connection.Options.HandleMax, 65535) + 1];
    }

    /// <summary>The connection the session lives on.</summary>
    public AmqpConnection Connection => _connection;

    /// <summary>Our channel number.</summary>
    public ushort LocalChannel { get; }

    /// <summary>The peer's channel number, once begun.</summary>
    public ushort? RemoteChannel { get; private set; }

    /// <summary>The error the session ended with, if any.</summary>
    public Error? Error { get; private set; }

    /// <summary>Completes when the session has ended.</summary>
    public Task Ended => _ended.Task;

    internal object SyncRoot => _connection.SyncRoot;

    internal bool IsEnded => _endSent || _endReceived || _ended.Task.IsCompleted;

    /// <summary>Attaches a sending link to <paramref name="address"/> (null for an anonymous-relay sender).</summary>
    public Task<SenderLink> OpenSenderAsync(string name, string? address, SenderSettleMode settleMode = SenderSettleMode.Unsettled, CancellationToken cancellationToken = default)
    {
        var attach = new Attach
        {
            Name = name,
            Role = LinkRole.Sender,
            SndSettleMode = settleMode,
            RcvSettleMode = ReceiverSettleMode.First,
            Source = new Source { Address = name },
            Target = new Target { Address = address },
            InitialDeliveryCount = 0,
        };
        return AttachSenderAsync(attach, cancellationToken);
    }

    /// <summary>
    /// Attaches a receiving link from <paramref name="address"/> (null with <paramref name="dynamic"/> to ask the
    /// peer for a fresh address) and grants <paramref name="credit"/>, topped up as messages are taken.
    /// </summary>
    public Task<ReceiverLink> OpenReceiverAsync(string name, string? address, uint credit = 100, bool dynamic = false,
        ReceiverSettleMode settleMode = ReceiverSettleMode.First, CancellationToken cancellationToken = default)
    {
        var attach = new Attach
        {
            Name = name,
            Role = LinkRole.Receiver,
            SndSettleMode = SenderSettleMode.Mixed,
            RcvSettleMode = settleMode,
            Source = new Source { Address = address, Dynamic = dynamic },
            Target = new Target { Address = name },
        };
        return AttachReceiverAsync(attach, credit, cancellationToken);
    }

    /// <summary>Attaches a sending link with a fully specified attach (the handle is assigned here).</summary>
    public async Task<SenderLink> AttachSenderAsync(Attach attach, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attach);
        attach.Role = LinkRole.Sender;
        var link = new SenderLink(this, attach.Name);
        await AttachLocalAsync(link, attach, cancellationToken);
        return link;
    }

    /// <summary>Attaches a receiving link with a fully specified attach, then grants <paramref name="credit"/>.</summary>
    public async Task<ReceiverLink> AttachReceiverAsync(Attach attach, uint credit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attach);
        attach.Role = LinkRole.Receiver;
        var link = new ReceiverLink(this, attach.Name);
        link.SetCreditLocked(credit, autoRefill: true, sendFlow: false);
        await AttachLocalAsync(link, attach, cancellationToken);
        if (credit > 0)
        {
            link.SetCredit(credit);
        }

        return link;
    }

    private async Task AttachLocalAsync(AmqpLink link, Attach attach, CancellationToken cancellationToken)
    {
        lock (SyncRoot)
        {
            _connection.ThrowIfClosedLocked();
            if (IsEnded)
            {
                throw new AmqpException(Error ?? new Error { Condition = ErrorCondition.IllegalState, Description = "The session has ended." });
            }

            if (_pendingLocalAttaches.ContainsKey(attach.Name))
            {
                throw new InvalidOperationException($"A link named '{attach.Name}' is already being attached.");
            }

            var handle = FreeHandle() ?? throw new AmqpException(ErrorCondition.ResourceLimitExceeded, "No free link handle on the session.");
            attach.Handle = handle;
            if (attach.Role == LinkRole.Receiver && _connection.Options.MaxMessageSize > 0 && attach.MaxMessageSize is null)
            {
                attach.MaxMessageSize = _connection.Options.MaxMessageSize;
            }

            link.SetLocalAttach(attach);
            _linksByLocalHandle[handle] = link;
            _connection.LinkCount++;
            _pendingLocalAttaches[attach.Name] = link;
            WriteFrame(attach);
        }

        await link.WaitAttachedAsync(cancellationToken);
    }

    /// <summary>Ends the session (optionally with an error) and waits for the peer's end.</summary>
    public async Task EndAsync(Error? error = null, CancellationToken cancellationToken = default)
    {
        lock (SyncRoot)
        {
            if (!_endSent && !_connection.IsClosed)
            {
                SendEnd(error);
            }
        }

        await _ended.Task.WaitAsync(TimeSpan.FromSeconds(30), _connection.Options.TimeProvider, cancellationToken);
    }

    internal Task<AmqpSession> WaitBegunAsync(CancellationToken cancellationToken) => _begun.Task.WaitAsync(cancellationToken);

    private uint? FreeHandle()
    {
        var max = Math.Min((uint)_linksByLocalHandle.Length - 1, _remoteHandleMax);
        for (uint i = 0; i <= max; i++)
        {
            if (_linksByLocalHandle[i] is null)
            {
                return i;
            }
        }

        return null;
    }

    // ---- Outgoing frames (caller holds the lock) -------------------------------------------------------------

    internal void WriteFrame(Performative body) => _connection.WriteFrame(FrameCodec.TypeAmqp, LocalChannel, body, default);

    internal void SendBegin(ushort? remoteChannel)
    {
        WriteFrame(new Begin
        {
            RemoteChannel = remoteChannel,
            NextOutgoingId = _nextOutgoingId,
            IncomingWindow = _incomingWindow,
            OutgoingWindow = int.MaxValue,
            HandleMax = (uint)_linksByLocalHandle.Length - 1,
        });
    }

    private void SendEnd(Error? error)
    {
        _endSent = true;
        Error ??= error;
        WriteFrame(new End { Error = error });
    }

    /// <summary>Sends a flow: session state, plus a link's state when <paramref name="link"/> is given.</summary>
    internal void SendFlow(AmqpLink? link, bool echo = false)
    {
        var flow = _flow;
        flow.ResetFields();
        flow.NextIncomingId = RemoteChannel is null ? null : _nextIncomingId;
        flow.IncomingWindow = _incomingWindow;
        flow.NextOutgoingId = _nextOutgoingId;
        flow.OutgoingWindow = int.MaxValue;
        flow.Echo = echo;
        link?.FillFlow(flow);
        WriteFrame(flow);
    }

    /// <summary>Sends a disposition of one delivery (the performative is reused: it is encoded at once).</summary>
    internal void WriteDispositionLocked(LinkRole role, uint deliveryId, bool settled, DeliveryState? state)
    {
        var disposition = _disposition;
        disposition.ResetFields();
        disposition.Role = role;
        disposition.First = deliveryId;
        disposition.Settled = settled;
        disposition.State = state;
        WriteFrame(disposition);
        disposition.State = null;
    }

    /// <summary>A delivery whose outcome goes to a sink, reusing one whose outcome was handed over.</summary>
    internal OutgoingDelivery RentOutgoingLocked(SenderLink link, uint deliveryId, IDeliveryOutcomeSink sink, int token) =>
        OutgoingDelivery.WithSink(_spareOutgoing.TryPop(out var spare) ? spare : null, link, deliveryId, sink, token);

    private void ReturnOutgoingLocked(OutgoingDelivery delivery)
    {
        delivery.Clear();
        if (_spareOutgoing.Count < MaxSpareDeliveries)
        {
            _spareOutgoing.Push(delivery);
        }
    }

    /// <summary>Sink deliveries kept for reuse, at most: about what a busy link has unsettled at once.</summary>
    private const int MaxSpareDeliveries = 1024;

    internal uint NextDeliveryId() => _nextDeliveryId++;

    /// <summary>Whether the peer's incoming window lets us send one more transfer frame.</summary>
    internal bool HasOutgoingWindow => _remoteIncomingWindow > 0;

    /// <summary>Writes one transfer frame, consuming a slot of the peer's incoming window.</summary>
    internal void WriteTransfer(Transfer transfer, ReadOnlySpan<byte> payload)
    {
        _remoteIncomingWindow--;
        _nextOutgoingId++;
        _connection.WriteFrame(FrameCodec.TypeAmqp, LocalChannel, transfer, payload);
    }

    /// <summary>A task that completes when the peer's incoming window reopens, or fails when the session ends.</summary>
    internal Task WaitForWindowLocked()
    {
        if (_terminated is not null)
        {
            return Task.FromException(_terminated);
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _windowWaiters.Enqueue(waiter);
        return waiter.Task;
    }

    private void FailWindowWaiters(Error reason)
    {
        List<TaskCompletionSource> waiters;
        lock (SyncRoot)
        {
            _terminated ??= new AmqpException(reason);
            waiters = [.. _windowWaiters];
            _windowWaiters.Clear();
        }

        foreach (var w in waiters)
        {
            w.TrySetException(_terminated);
        }
    }

    internal void TrackOutgoing(OutgoingDelivery delivery) => _unsettledOutgoing[delivery.DeliveryId] = delivery;

    internal void ForgetOutgoing(uint deliveryId) => _unsettledOutgoing.Remove(deliveryId);

    /// <summary>Fails the unsettled deliveries of a link that is gone: their outcome will never come.</summary>
    internal void FailOutgoing(SenderLink link, AmqpException exception)
    {
        var failed = new List<OutgoingDelivery>();
        List<SinkCall>? sinks = null;
        lock (SyncRoot)
        {
            foreach (var d in _unsettledOutgoing.Values.Where(d => d.Link == link).ToList())
            {
                _unsettledOutgoing.Remove(d.DeliveryId);
                if (d.Sink is { } sink)
                {
                    // Its outcome goes to the sink; the instance is reused.
                    (sinks ??= []).Add(new SinkCall(sink, d.Token, null));
                    ReturnOutgoingLocked(d);
                }
                else
                {
                    failed.Add(d);
                }
            }
        }

        foreach (var d in failed)
        {
            d.Fail(exception);
        }

        if (sinks is not null)
        {
            foreach (var call in sinks)
            {
                Invoke(call, exception);
            }
        }
    }

    /// <summary>Hands an outcome to a sink; a sink that throws is logged, and the others still get theirs.</summary>
    private void Invoke(SinkCall call, AmqpException? failure)
    {
        try
        {
            call.Sink.OnOutcome(call.State, failure, call.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _connection.LogSinkFailed(e);
        }
    }

    private readonly record struct SinkCall(IDeliveryOutcomeSink Sink, int Token, DeliveryState? State);

    internal void TrackIncoming(AmqpDelivery delivery)
    {
        if (_unsettledIncoming.Remove(delivery.DeliveryId, out var previous))
        {
            previous.Link.UnsettledCount--;
        }

        _unsettledIncoming[delivery.DeliveryId] = delivery;
        delivery.Link.UnsettledCount++;
    }

    internal void ForgetIncoming(uint deliveryId)
    {
        if (_unsettledIncoming.Remove(deliveryId, out var delivery))
        {
            delivery.Link.UnsettledCount--;
        }
    }

    internal void RemoveLink(AmqpLink link)
    {
        if (link.LocalHandle is { } h && h < _linksByLocalHandle.Length && _linksByLocalHandle[h] == link)
        {
            _linksByLocalHandle[h] = null;
            _connection.LinkCount--;
        }

        if (link.RemoteHandle is { } rh && _linksByRemoteHandle.TryGetValue(rh, out var l) && l == link)
        {
            _linksByRemoteHandle.Remove(rh);
        }

        _pendingLocalAttaches.Remove(link.Name);
    }

    // ---- Incoming frames -------------------------------------------------------------------------------------

    internal void OnBegin(ushort remoteChannel, Begin begin)
    {
        RemoteChannel = remoteChannel;
        _nextIncomingId = begin.NextOutgoingId;
        _remoteIncomingWindow = begin.IncomingWindow;
        _remoteOutgoingWindow = begin.OutgoingWindow;
        _remoteHandleMax = begin.HandleMax;
        _begun.TrySetResult(this);
    }

    /// <summary>Handles a frame for this session; returns an error when the connection must close.</summary>
    internal Error? OnFrame(Performative body, ReadOnlySpan<byte> payload)
    {
        switch (body)
        {
            case Transfer transfer:
                return OnTransfer(transfer, payload);
            case Flow flow:
                return OnFlow(flow);
            case Disposition disposition:
                OnDisposition(disposition);
                return null;
            case Attach attach:
                return OnAttach(attach);
            case Detach detach:
                return OnDetach(detach);
            case End end:
                OnEnd(end);
                return null;
            default:
                return Fail(ErrorCondition.FramingError, $"Unexpected {body.GetType().Name.ToLowerInvariant()} on a session.");
        }
    }

    private Error? Fail(Van.Core.Amqp.Encoding.AmqpSymbol condition, string description)
    {
        _connection.CloseWithError(condition, description);
        return new Error { Condition = condition, Description = description };
    }

    private Error? OnTransfer(Transfer transfer, ReadOnlySpan<byte> payload)
    {
        ReceiverLink? receiver;
        lock (SyncRoot)
        {
            if (_incomingWindow == 0)
            {
                return Fail(ErrorCondition.WindowViolation, "A transfer arrived beyond the session's incoming window.");
            }

            _incomingWindow--;
            _nextIncomingId++;
            if (_remoteOutgoingWindow > 0)
            {
                _remoteOutgoingWindow--;
            }

            if (!_linksByRemoteHandle.TryGetValue(transfer.Handle, out var link))
            {
                return Fail(ErrorCondition.InvalidField, $"A transfer arrived on handle {transfer.Handle}, which is not attached.");
            }

            receiver = link as ReceiverLink;
            if (receiver is null)
            {
                return Fail(ErrorCondition.InvalidField, $"A transfer arrived on handle {transfer.Handle}, where we are the sender.");
            }

            if (_incomingWindow <= _windowSize / 2)
            {
                // Reopen the window before the peer runs dry (Proton stops at zero and waits for a flow).
                _incomingWindow = _windowSize;
                SendFlow(null);
            }
        }

        return receiver.OnTransfer(transfer, payload);
    }

    private Error? OnFlow(Flow flow)
    {
        AmqpLink? link = null;
        List<TaskCompletionSource>? wake = null;
        lock (SyncRoot)
        {
            var nextIncoming = flow.NextIncomingId ?? 0;
            _remoteIncomingWindow = unchecked(nextIncoming + flow.IncomingWindow - _nextOutgoingId);
            if (_remoteIncomingWindow > flow.IncomingWindow)
            {
                _remoteIncomingWindow = 0; // A flow that raced our transfers; the next flow corrects it.
            }

            _remoteOutgoingWindow = flow.OutgoingWindow;
            if (_remoteIncomingWindow > 0 && _windowWaiters.Count > 0)
            {
                wake = [.. _windowWaiters];
                _windowWaiters.Clear();
            }

            if (flow.Handle is { } handle)
            {
                if (!_linksByRemoteHandle.TryGetValue(handle, out link))
                {
                    return Fail(ErrorCondition.InvalidField, $"A flow names handle {handle}, which is not attached.");
                }
            }
            else if (flow.Echo)
            {
                SendFlow(null);
            }
        }

        if (wake is not null)
        {
            foreach (var w in wake)
            {
                w.TrySetResult();
            }
        }

        link?.OnFlow(flow);
        return null;
    }

    private void OnDisposition(Disposition disposition)
    {
        var last = disposition.Last ?? disposition.First;
        var completed = _taskCompletions;
        var sinks = _sinkCalls;
        lock (SyncRoot)
        {
            if (disposition.Role == LinkRole.Receiver)
            {
                // About deliveries we sent: record the outcome, settle them. A settled sink delivery is done here: its
                // outcome is noted for the sink and the instance kept for the next send.
                var inRange = _outgoingInRange;
                InRange(_unsettledOutgoing, disposition.First, last, inRange);
                foreach (var d in inRange)
                {
                    d.Link.OnDispositionLocked(d, disposition.Settled, disposition.State);
                    if (d.Sink is { } sink)
                    {
                        if (d.Settled)
                        {
                            sinks.Add(new SinkCall(sink, d.Token, d.State));
                            ReturnOutgoingLocked(d);
                        }
                    }
                    else
                    {
                        completed.Add(d);
                    }
                }

                inRange.Clear();
            }
            else if (disposition.Settled)
            {
                // About deliveries we received: the sender settled them. In rcv-settle-mode second our outcome
                // waited for this, so they are now settled at both ends.
                var inRange = _incomingInRange;
                InRange(_unsettledIncoming, disposition.First, last, inRange);
                foreach (var d in inRange)
                {
                    d.RemoteSettled = true;
                    d.LocalSettled |= d.LocalState is not null;
                    ForgetIncoming(d.DeliveryId);
                }

                inRange.Clear();
            }
        }

        // Outside the lock: continuations and sinks may take other connections' locks.
        if (completed.Count > 0)
        {
            foreach (var d in completed)
            {
                d.CompleteIfSettled();
            }

            completed.Clear();
        }

        if (sinks.Count > 0)
        {
            foreach (var call in sinks)
            {
                Invoke(call, null);
            }

            sinks.Clear();
        }
    }

    /// <summary>
    /// Adds to <paramref name="found"/> the unsettled deliveries whose ids are in first..last (serial-number order, so
    /// ranges may wrap). Ranges can be wide: this walks whichever is smaller, the range or the map.
    /// </summary>
    private static void InRange<T>(Dictionary<uint, T> unsettled, uint first, uint last, List<T> found)
    {
        var width = unchecked(last - first);
        if ((ulong)width + 1 <= (ulong)unsettled.Count)
        {
            for (var id = first; ; id++)
            {
                if (unsettled.TryGetValue(id, out var d))
                {
                    found.Add(d);
                }

                if (id == last)
                {
                    break;
                }
            }
        }
        else
        {
            foreach (var (id, d) in unsettled)
            {
                if (unchecked(id - first) <= width)
                {
                    found.Add(d);
                }
            }
        }
    }

    private Error? OnAttach(Attach attach)
    {
        AmqpLink link;
        bool isNew;
        lock (SyncRoot)
        {
            if (attach.Handle >= _linksByLocalHandle.Length)
            {
                return Fail(ErrorCondition.ResourceLimitExceeded, $"Attach on handle {attach.Handle} exceeds handle-max {_linksByLocalHandle.Length - 1}.");
            }

            if (_linksByRemoteHandle.ContainsKey(attach.Handle))
            {
                return Fail(ErrorCondition.HandleInUse, $"Handle {attach.Handle} is already attached.");
            }

            if (_pendingLocalAttaches.Remove(attach.Name, out var pending))
            {
                link = pending;
                isNew = false;
            }
            else
            {
                link = attach.Role == LinkRole.Sender ? new ReceiverLink(this, attach.Name) : new SenderLink(this, attach.Name);
                isNew = true;
            }

            _linksByRemoteHandle[attach.Handle] = link;
            link.OnRemoteAttachLocked(attach);
        }

        if (isNew)
        {
            link.AcceptRemoteAttach(attach);
        }
        else
        {
            link.OnAttachAnswered();
        }

        return null;
    }

    internal uint? AllocateHandleLocked(AmqpLink link)
    {
        var handle = FreeHandle();
        if (handle is { } h)
        {
            _linksByLocalHandle[h] = link;
            _connection.LinkCount++;
        }

        return handle;
    }

    private Error? OnDetach(Detach detach)
    {
        AmqpLink? link;
        lock (SyncRoot)
        {
            if (!_linksByRemoteHandle.TryGetValue(detach.Handle, out link))
            {
                return Fail(ErrorCondition.InvalidField, $"A detach names handle {detach.Handle}, which is not attached.");
            }
        }

        link.OnRemoteDetach(detach);
        return null;
    }

    private void OnEnd(End end)
    {
        List<AmqpLink> links;
        lock (SyncRoot)
        {
            _endReceived = true;
            Error ??= end.Error;
            if (!_endSent)
            {
                SendEnd(null);
            }

            links = [.. _linksByLocalHandle.OfType<AmqpLink>(), .. _linksByRemoteHandle.Values];
            _connection.RemoveSession(this);
        }

        var reason = end.Error ?? new Error { Condition = ErrorCondition.DetachForced, Description = "The session ended." };
        FailWindowWaiters(reason);
        foreach (var link in links.Distinct())
        {
            link.OnTerminated(reason);
        }

        _begun.TrySetException(new AmqpException(reason));
        _ended.TrySetResult();
    }

    internal void OnConnectionClosed(Error reason)
    {
        List<AmqpLink> links;
        lock (SyncRoot)
        {
            Error ??= reason;
            links = [.. _linksByLocalHandle.OfType<AmqpLink>(), .. _linksByRemoteHandle.Values];
        }

        FailWindowWaiters(reason);
        foreach (var link in links.Distinct())
        {
            link.OnTerminated(reason);
        }

        _begun.TrySetException(new AmqpException(reason));
        _ended.TrySetResult();
    }
}
