using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>One end of an AMQP link (§2.6): a sender or a receiver, attached by name and handle on a session.</summary>
public abstract class AmqpLink
{
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _detached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _detachSent;
    private bool _refused;

    private protected AmqpLink(AmqpSession session, string name, LinkRole role)
    {
        Session = session;
        Name = name;
        Role = role;
    }

    /// <summary>The session the link is on.</summary>
    public AmqpSession Session { get; }

    /// <summary>The link name.</summary>
    public string Name { get; }

    /// <summary>Our role on the link.</summary>
    public LinkRole Role { get; }

    /// <summary>Our handle, once attached.</summary>
    public uint? LocalHandle { get; private set; }

    /// <summary>The peer's handle, once its attach arrived.</summary>
    public uint? RemoteHandle { get; private set; }

    /// <summary>The attach we sent.</summary>
    public Attach? LocalAttach { get; private set; }

    /// <summary>The attach the peer sent.</summary>
    public Attach? RemoteAttach { get; private set; }

    /// <summary>For a link the peer starts: the source we answer with (default: the peer's, echoed).</summary>
    public Source? LocalSource { get; set; }

    /// <summary>For a link the peer starts: the target we answer with (default: the peer's, echoed).</summary>
    public Target? LocalTarget { get; set; }

    /// <summary>
    /// The address of the node this link reaches. On a link we attached: the target for a sender, the source for
    /// a receiver (as the peer answered it, so a dynamic receiver sees its new address). On a link the peer
    /// attached: the node it names at our end, the target it sends to or the source it receives from.
    /// </summary>
    public string? Address
    {
        get
        {
            if (InitiatedLocally)
            {
                return Role == LinkRole.Sender
                    ? LocalAttach?.Target?.Address
                    : RemoteAttach?.Source?.Address ?? LocalAttach?.Source?.Address;
            }

            return Role == LinkRole.Receiver
                ? (LocalTarget ?? RemoteAttach?.Target)?.Address
                : (LocalSource ?? RemoteAttach?.Source)?.Address;
        }
    }

    /// <summary>True when we sent the first attach.</summary>
    public bool InitiatedLocally { get; private set; }

    /// <summary>The error the link was detached with, if any.</summary>
    public Error? Error { get; private set; }

    /// <summary>Completes when the link is detached (by either side, or with its session or connection).</summary>
    public Task Detached => _detached.Task;

    /// <summary>True once the link is detached.</summary>
    public bool IsDetached => _detached.Task.IsCompleted || _detachSent;

    /// <summary>Arbitrary state for the application (a router keeps its per-link record here).</summary>
    public object? UserState { get; set; }

    internal object SyncRoot => Session.SyncRoot;

    /// <summary>Detaches the link (closing it by default) and waits for the peer's detach.</summary>
    public async Task DetachAsync(Error? error = null, bool closed = true, CancellationToken cancellationToken = default)
    {
        lock (SyncRoot)
        {
            SendDetachLocked(error, closed);
        }

        await _detached.Task.WaitAsync(TimeSpan.FromSeconds(30), Session.Connection.Options.TimeProvider, cancellationToken);
    }

    /// <summary>Detaches with an error from the reader loop or any thread, without waiting.</summary>
    internal void DetachWithError(Van.Core.Amqp.Encoding.AmqpSymbol condition, string description)
    {
        var error = new Error { Condition = condition, Description = description };
        lock (SyncRoot)
        {
            SendDetachLocked(error, closed: true);
        }
    }

    private void SendDetachLocked(Error? error, bool closed)
    {
        if (_detachSent || LocalHandle is null || Session.IsEnded || Session.Connection.IsClosed)
        {
            return;
        }

        _detachSent = true;
        Error ??= error;
        Session.WriteFrame(new Detach { Handle = LocalHandle.Value, Closed = closed, Error = error });
    }

    internal void SetLocalAttach(Attach attach)
    {
        InitiatedLocally = RemoteAttach is null;
        LocalAttach = attach;
        LocalHandle = attach.Handle;
    }

    internal Task WaitAttachedAsync(CancellationToken cancellationToken) => _attached.Task.WaitAsync(cancellationToken);

    internal void OnRemoteAttachLocked(Attach attach)
    {
        RemoteAttach = attach;
        RemoteHandle = attach.Handle;
        OnRemoteAttachedLocked(attach);
    }

    /// <summary>Lets a subclass read link state from the peer's attach (delivery count, settle modes).</summary>
    private protected virtual void OnRemoteAttachedLocked(Attach attach)
    {
    }

    /// <summary>The peer answered our attach. A null terminus means it refused; its detach will say why.</summary>
    internal void OnAttachAnswered()
    {
        var attach = RemoteAttach!;
        _refused = Role == LinkRole.Sender ? attach.Target is null : attach.Source is null;
        if (!_refused)
        {
            _attached.TrySetResult();
        }
    }

    /// <summary>The peer attached a link we did not ask for: ask the handler, then answer.</summary>
    internal void AcceptRemoteAttach(Attach remote)
    {
        var handler = Session.Connection.Handler;
        // The handler runs outside the lock, like every callback (it may touch other connections).
        LocalSource = remote.Source;
        LocalTarget = remote.Target;
        Error? refusal;
        int links;
        lock (SyncRoot)
        {
            links = Session.Connection.LinkCount;
        }

        var max = Session.Connection.Options.MaxLinksPerConnection;
        if (links >= max)
        {
            // Refused before the handler sees it: the connection and its other links go on.
            refusal = new Error
            {
                Condition = ErrorCondition.ResourceLimitExceeded,
                Description = $"Attach of link '{Name}' exceeds max-links-per-connection {max}.",
            };
        }
        else
        {
            refusal = handler.OnLinkAttaching(this);
        }

        lock (SyncRoot)
        {
            var handle = Session.AllocateHandleLocked(this);
            if (handle is null)
            {
                refusal = new Error { Condition = ErrorCondition.ResourceLimitExceeded, Description = $"Attach of link '{Name}': no free link handle on the session (handle-max {Session.Connection.Options.HandleMax})." };
                // Answer on the peer's handle number so the detach names a handle it knows is ours to refuse.
                handle = remote.Handle;
            }

            var reply = new Attach
            {
                Name = Name,
                Handle = handle.Value,
                Role = Role,
                SndSettleMode = remote.SndSettleMode,
                RcvSettleMode = remote.RcvSettleMode,
                Source = LocalSource,
                Target = LocalTarget,
                InitialDeliveryCount = Role == LinkRole.Sender ? 0 : null,
                MaxMessageSize = Role == LinkRole.Receiver && Session.Connection.Options.MaxMessageSize > 0 ? Session.Connection.Options.MaxMessageSize : null,
            };
            if (refusal is null && !Session.Connection.FitsPeerMaxFrameSize(reply))
            {
                // Echoing the peer's termini would make a frame it cannot take: refuse with both termini null.
                reply.Source = null;
                reply.Target = null;
                refusal = new Error { Condition = ErrorCondition.FrameSizeTooSmall, Description = "The attach reply would exceed the peer's max-frame-size." };
            }

            if (refusal is not null)
            {
                // §2.6.3: refuse by attaching with a null terminus on our side, then detaching with the reason.
                if (Role == LinkRole.Receiver)
                {
                    reply.Target = null;
                }
                else
                {
                    reply.Source = null;
                }
            }

            SetLocalAttach(reply);
            Session.WriteFrame(reply);
            if (refusal is not null)
            {
                SendDetachLocked(refusal, closed: true);
                return;
            }
        }

        _attached.TrySetResult();
        handler.OnLinkAttached(this);
    }

    /// <summary>Fills a flow with this link's state. Caller holds the lock.</summary>
    internal abstract void FillFlow(Flow flow);

    internal abstract void OnFlow(Flow flow);

    internal void OnRemoteDetach(Detach detach)
    {
        lock (SyncRoot)
        {
            Error ??= detach.Error;
            if (!_detachSent && LocalHandle is not null && !Session.IsEnded)
            {
                _detachSent = true;
                Session.WriteFrame(new Detach { Handle = LocalHandle.Value, Closed = detach.Closed });
            }
        }

        OnTerminated(detach.Error ?? new Error { Condition = ErrorCondition.DetachForced, Description = "The peer detached the link." });
    }

    /// <summary>The link is gone (detached, or its session or connection ended): fail whatever waits on it.</summary>
    internal void OnTerminated(Error reason)
    {
        lock (SyncRoot)
        {
            Error ??= reason;
            Session.RemoveLink(this);
            OnTerminatedLocked(Error);
        }

        var exception = new AmqpException(Error);
        _attached.TrySetException(exception);
        _detached.TrySetResult();
        OnTerminatedUnlocked(exception);
    }

    private protected abstract void OnTerminatedLocked(Error reason);

    private protected abstract void OnTerminatedUnlocked(AmqpException exception);

    /// <inheritdoc />
    public override string ToString() => $"{Role} link '{Name}' ({Address})";
}
