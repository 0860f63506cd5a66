using System.Threading.Channels;
using System.Threading.Tasks.Sources;
using Van.Core.Amqp.Framing;

namespace Van.Internal;

/// <summary>
/// What a subscription holds for its reader: up to its capacity of message bodies (and of bytes: big messages fill it
/// sooner), then the deliveries that found it full, each waiting (in order) until the reader makes room, when it is
/// accepted. A waiting delivery is a pooled source kept by the subscription, not a task or a state machine: a
/// subscriber that falls behind a fast publisher costs no allocation per message. The subscription's end or the
/// router's stop releases the waiting ones (another consumer may take them); what is already buffered is still read.
/// </summary>
internal sealed class Subscription
{
    private readonly Channel<ReadOnlyMemory<byte>> _channel;
    private readonly long _maxBytes;
    private readonly Lock _lock = new();
    private long _bufferedBytes;
    private readonly Queue<Waiter> _waiting = new();
    private readonly Stack<Waiter> _spare = new();
    private int _waitingCount;
    private bool _closed;
    private CancellationTokenRegistration _stopping;

    /// <param name="capacity">Bodies the buffer holds.</param>
    /// <param name="maxBytes">Bytes the buffer holds: one body bigger than this still goes in when the buffer is empty.</param>
    public Subscription(int capacity, long maxBytes)
    {
        _channel = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(capacity) { SingleReader = true });
        _maxBytes = maxBytes;
    }

    /// <summary>Bytes of the bodies in the buffer.</summary>
    public long BufferedBytes => Interlocked.Read(ref _bufferedBytes);

    public ChannelReader<ReadOnlyMemory<byte>> Reader => _channel.Reader;

    /// <summary>Buffers <paramref name="body"/> (its own bytes): accepted once it is in, released if the subscription ends first.</summary>
    public ValueTask<DeliveryState> Deliver(ReadOnlyMemory<byte> body, CancellationToken stopping)
    {
        if (stopping.IsCancellationRequested)
        {
            return new(Released.Instance);
        }

        lock (_lock)
        {
            if (_waiting.Count == 0 && TryBuffer(body))
            {
                return new(Accepted.Instance);
            }

            if (_closed)
            {
                return new(Released.Instance);
            }

            if (_stopping == default && stopping.CanBeCanceled)
            {
                _stopping = stopping.UnsafeRegister(static s => ((Subscription)s!).ReleaseWaiting(), this);
            }

            var waiter = _spare.Count > 0 ? _spare.Pop() : new Waiter(this);
            var delivery = waiter.Start(body);
            _waiting.Enqueue(waiter);
            Volatile.Write(ref _waitingCount, _waiting.Count);

            // The reader may have made room since the first try without seeing this one wait: move it in now.
            MoveInLocked();
            return delivery;
        }
    }

    /// <summary>The reader's next body; room it makes goes to the deliveries waiting for it.</summary>
    public bool TryRead(out ReadOnlyMemory<byte> body)
    {
        if (!_channel.Reader.TryRead(out body))
        {
            return false;
        }

        Interlocked.Add(ref _bufferedBytes, -body.Length);
        if (Volatile.Read(ref _waitingCount) > 0)
        {
            lock (_lock)
            {
                MoveInLocked();
            }
        }

        return true;
    }

    /// <summary>No more messages: the waiting deliveries are released; the reader still gets what is buffered.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _closed = true;
            _channel.Writer.TryComplete();
            ReleaseWaitingLocked();
        }

        _stopping.Dispose();
    }

    private void ReleaseWaiting()
    {
        lock (_lock)
        {
            ReleaseWaitingLocked();
        }
    }

    private void ReleaseWaitingLocked()
    {
        while (_waiting.TryDequeue(out var waiter))
        {
            waiter.Complete(Released.Instance);
        }

        Volatile.Write(ref _waitingCount, 0);
    }

    private void MoveInLocked()
    {
        while (_waiting.TryPeek(out var waiter) && TryBuffer(waiter.Body))
        {
            _waiting.Dequeue();
            waiter.Complete(Accepted.Instance); // its continuation runs elsewhere (never under this lock)
        }

        Volatile.Write(ref _waitingCount, _waiting.Count);
    }

    /// <summary>Puts <paramref name="body"/> in the buffer if it has room for one more body and for its bytes. Caller holds the lock.</summary>
    private bool TryBuffer(ReadOnlyMemory<byte> body)
    {
        // Only writers under the lock add bytes, and the reader only takes them away: the room seen here can only grow.
        var buffered = Interlocked.Read(ref _bufferedBytes);
        if (buffered > 0 && buffered + body.Length > _maxBytes)
        {
            return false;
        }

        Interlocked.Add(ref _bufferedBytes, body.Length);
        if (_channel.Writer.TryWrite(body))
        {
            return true;
        }

        Interlocked.Add(ref _bufferedBytes, -body.Length);
        return false;
    }

    private void Return(Waiter waiter)
    {
        lock (_lock)
        {
            _spare.Push(waiter);
        }
    }

    /// <summary>A delivery waiting for room: awaited once by the router, then back to its subscription for reuse.</summary>
    private sealed class Waiter : IValueTaskSource<DeliveryState>
    {
        private readonly Subscription _owner;
        private ManualResetValueTaskSourceCore<DeliveryState> _core;

        public Waiter(Subscription owner)
        {
            _owner = owner;
            _core.RunContinuationsAsynchronously = true;
        }

        public ReadOnlyMemory<byte> Body { get; private set; }

        public ValueTask<DeliveryState> Start(ReadOnlyMemory<byte> body)
        {
            Body = body;
            return new(this, _core.Version);
        }

        public void Complete(DeliveryState state)
        {
            Body = default;
            _core.SetResult(state);
        }

        DeliveryState IValueTaskSource<DeliveryState>.GetResult(short token)
        {
            var state = _core.GetResult(token);
            _core.Reset();
            _owner.Return(this);
            return state;
        }

        ValueTaskSourceStatus IValueTaskSource<DeliveryState>.GetStatus(short token) => _core.GetStatus(token);

        void IValueTaskSource<DeliveryState>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
