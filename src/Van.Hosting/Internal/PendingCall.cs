using System.Diagnostics;
using System.Numerics;
using System.Threading.Tasks.Sources;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Internal;

/// <summary>
/// A request waiting for its reply, or for whichever comes first of a failed outcome, its deadline, its caller's
/// cancellation and the node's stop. Awaited as a <see cref="ValueTask{TResult}"/> over this source, and pooled by its
/// node together with its deadline timer, the buffer its request is encoded in and the one its reply is copied to: a
/// call allocates none of them.
/// </summary>
/// <remarks>
/// Two parties hold a call: its caller, until it has read the result (<see cref="VanNode.EndCall"/>), and the router,
/// while it routes the request (it may resend the encoded bytes until it reports the outcome,
/// <see cref="OnSent"/>). The last to let go returns it to the pool. What may complete it late (a reply after the
/// deadline, a timer that fired as the call ended, the node's stop) names the call's id, which a reused call no longer
/// has: only the first completion of this very call counts.
/// </remarks>
internal sealed class PendingCall : IValueTaskSource<ReadOnlyMemory<byte>>, IDisposable
{
    /// <summary>Buffers bigger than this are let go when the call ends rather than kept with the pooled call.</summary>
    private const int MaxKeptBytes = 64 * 1024;

    private readonly VanNode _node;
    private readonly Timer _timer;
    private ManualResetValueTaskSourceCore<ReadOnlyMemory<byte>> _core;
    private AmqpBuffer _message = new();
    private byte[] _reply = [];
    private ReadOnlyMemory<byte> _result;
    private long _waiting; // the id while the call waits; 0 once something completed it
    private long _deadline; // Stopwatch timestamp
    private int _holders;
    private bool _reusable;
    private bool _oneWay;
    private CancellationTokenRegistration _cancellation;

    public PendingCall(VanNode node)
    {
        _node = node;
        OnSent = OnOutcome;
        _timer = CreateTimer(this);
    }

    /// <summary>A timer that does not keep (or run in) the execution context of the caller that happened to start the pooled call.</summary>
    private static Timer CreateTimer(PendingCall call)
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            return new Timer(static s => ((PendingCall)s!).OnTimer(), call, Timeout.Infinite, Timeout.Infinite);
        }

        using (ExecutionContext.SuppressFlow())
        {
            return new Timer(static s => ((PendingCall)s!).OnTimer(), call, Timeout.Infinite, Timeout.Infinite);
        }
    }

    public ulong Id { get; private set; }

    public string Address { get; private set; } = "";

    public TimeSpan CallTimeout { get; private set; }

    /// <summary>Where the request is encoded; the router reads it until <see cref="OnSent"/>.</summary>
    public AmqpBuffer Message => _message;

    /// <summary>Given to the router with the request: takes its outcome and lets go of the router's hold.</summary>
    public Action<DeliveryState> OnSent { get; }

    /// <summary>The reply's bytes (this call's own buffer: valid until <see cref="VanNode.EndCall"/>), or the failure.</summary>
    public ValueTask<ReadOnlyMemory<byte>> Reply => new(this, _core.Version);

    /// <summary>
    /// Starts a call (this one is fresh or back from the pool) of <paramref name="timeout"/>, whose deadline comes in
    /// <paramref name="deadlineIn"/> (less than the timeout when the caller waited for the node to start). A
    /// <paramref name="oneWay"/> call (a send) has no reply: it completes, with no bytes, when the router reports the
    /// message accepted.
    /// </summary>
    public void Start(ulong id, string address, TimeSpan timeout, TimeSpan deadlineIn, bool oneWay = false)
    {
        Id = id;
        _oneWay = oneWay;
        Address = address;
        CallTimeout = timeout;
        _core.Reset();
        _holders = 1;
        _reusable = true;
        var deadline = deadlineIn == Timeout.InfiniteTimeSpan
            ? long.MaxValue
            : Stopwatch.GetTimestamp() + (long)(deadlineIn.TotalSeconds * Stopwatch.Frequency);
        Volatile.Write(ref _deadline, deadline);
        Volatile.Write(ref _waiting, (long)id);
        _timer.Change(deadlineIn, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The router takes a hold: call just before handing it <see cref="Message"/> with <see cref="OnSent"/>.</summary>
    public void Sending() => Interlocked.Increment(ref _holders);

    /// <summary>The router could not take the request (it threw): it will not report, and may still hold the bytes.</summary>
    public void NotSent() => _reusable = false;

    /// <summary>Fails the call with an <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.</summary>
    public void CancelWith(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (s, token) => ((PendingCall)s!).OnCancelled(token), this);
        }
    }

    /// <summary>Completes call <paramref name="id"/> with a copy of <paramref name="body"/>; false when it completed already.</summary>
    public bool TrySetReply(ulong id, ReadOnlySpan<byte> body)
    {
        if (Interlocked.CompareExchange(ref _waiting, 0, (long)id) != (long)id)
        {
            return false;
        }

        if (_reply.Length < body.Length)
        {
            _reply = new byte[body.Length > MaxKeptBytes ? body.Length : Math.Max(256, (int)BitOperations.RoundUpToPowerOf2((uint)body.Length))];
        }

        body.CopyTo(_reply);
        _result = _reply.AsMemory(0, body.Length);
        _node.Completions.Enqueue(this); // resumed with others read in the same burst: see CompletionDispatcher
        return true;
    }

    /// <summary>Resumes the caller with the reply <see cref="TrySetReply"/> stored, on the dispatcher's thread.</summary>
    public void Resume()
    {
        _core.RunContinuationsAsynchronously = false;
        _core.SetResult(_result);
    }

    /// <summary>Fails call <paramref name="id"/>; false when it completed already.</summary>
    public bool TryFail(ulong id, Exception error)
    {
        if (Interlocked.CompareExchange(ref _waiting, 0, (long)id) != (long)id)
        {
            return false;
        }

        _core.RunContinuationsAsynchronously = true; // failed on a timer's, canceller's or reader's thread: never run the caller there
        _core.SetException(error);
        return true;
    }

    /// <summary>
    /// The caller is done: no more timer or cancellation, and its hold goes. <paramref name="awaited"/> false means it
    /// left without reading the result (it failed before sending), so something may still be completing the call and
    /// it is not reused.
    /// </summary>
    public void End(bool awaited)
    {
        _cancellation.Dispose(); // waits for a callback running now, so none runs once this returns
        _cancellation = default;
        _timer.Change(Timeout.Infinite, Timeout.Infinite);
        if (!awaited)
        {
            _reusable = false;
        }

        Release();
    }

    /// <summary>Gets the call ready for the pool; false when it must not be reused.</summary>
    public bool Recycle()
    {
        if (!_reusable)
        {
            Dispose();
            return false;
        }

        if (_message.Length > MaxKeptBytes)
        {
            _message.Dispose();
            _message = new AmqpBuffer();
        }
        else
        {
            _message.Reset();
        }

        if (_reply.Length > MaxKeptBytes)
        {
            _reply = [];
        }

        Address = "";
        return true;
    }

    /// <summary>Lets go of the timer and the buffer (a call the pool has no room for).</summary>
    public void Dispose()
    {
        _timer.Dispose();
        _message.Dispose();
    }

    private void OnOutcome(DeliveryState state)
    {
        // The router's hold keeps this call (and its id) from being reused until Release.
        if (state is Accepted)
        {
            if (_oneWay)
            {
                TrySetReply(Id, []);
            }
        }
        else
        {
            TryFail(Id, Wire.ToException(Address, CallTimeout, state));
        }

        Release();
    }

    private void OnCancelled(CancellationToken cancellationToken) =>
        TryFail(Id, new OperationCanceledException(cancellationToken)); // End disposes this callback before any reuse

    private void OnTimer()
    {
        var id = Volatile.Read(ref _waiting);
        if (id == 0)
        {
            return;
        }

        var remaining = Volatile.Read(ref _deadline) - Stopwatch.GetTimestamp();
        if (remaining > 0)
        {
            // Early by the timer's resolution, or left over from this object's previous call: wait for this deadline.
            _timer.Change(TimeSpan.FromMilliseconds(Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency)), Timeout.InfiniteTimeSpan);
            return;
        }

        TryFail((ulong)id, new VanRequestTimeoutException(Address, CallTimeout));
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            _node.Recycle(this);
        }
    }

    ReadOnlyMemory<byte> IValueTaskSource<ReadOnlyMemory<byte>>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadOnlyMemory<byte>>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<ReadOnlyMemory<byte>>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
