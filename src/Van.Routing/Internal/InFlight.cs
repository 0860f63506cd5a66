using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;

namespace Van.Routing.Internal;

/// <summary>
/// One message being routed by this node, from arrival until its outcome goes back upstream. Instances are pooled by
/// the node (<see cref="VanRouter"/> rents one per message and returns it once the outcome went upstream and nothing
/// refers to it any more), together with their buffers: the copy of a message that arrived on a link, the message as
/// rewritten for the next hop, and the routing header. It is the sink of the outcomes of its forwards
/// (<see cref="IDeliveryOutcomeSink"/>): each send carries a fresh token, so an outcome that arrives late for an earlier
/// use is ignored.
/// </summary>
internal sealed class InFlight : IDeliveryOutcomeSink, IDisposable
{
    /// <summary>Buffers larger than this are not kept with a pooled instance: big messages are rare.</summary>
    private const int MaxKeptBuffer = 8 * 1024;

    private readonly VanRouter _router;
    private readonly List<object> _excluded = [];
    private AmqpBuffer _rewritten = new(512);
    private byte[]? _copy;
    private bool _messageIsCopy;
    private bool _messageIsLent;
    private int _token;
    private int _finished;

    // Where the outcome goes: the upstream delivery (a neighbour's or a client's), or a local caller's completion.
    private ReceiverLink? _upstreamLink;
    private AmqpDelivery? _upstreamDelivery;
    private ProducerLink? _producer;
    private TaskCompletionSource<DeliveryState>? _completion;
    private Action<DeliveryState>? _onOutcome;

    public InFlight(VanRouter router) => _router = router;

    public ReadOnlyMemory<byte> Message { get; private set; }

    /// <summary>Where <see cref="Message"/>'s sections lie: kept by <see cref="ReadRoutingHeader"/>.</summary>
    public MessageLayout Layout { get; private set; }

    /// <summary>A reader over <see cref="Message"/> that does not scan it again.</summary>
    public MessageReader Reader => new(Message.Span, Layout);

    /// <summary>
    /// Scans <paramref name="message"/> (this record's message, or the bytes it is about to copy), reads its routing
    /// annotations into <see cref="Header"/> and keeps its <see cref="Layout"/>: the one scan the message gets here.
    /// </summary>
    /// <exception cref="Van.Core.Amqp.Encoding.AmqpDecodeException">The message or its annotations are malformed.</exception>
    public MessageReader ReadRoutingHeader(ReadOnlySpan<byte> message, StringTable strings)
    {
        var reader = new MessageReader(message);
        Header.Read(reader, strings);
        Layout = reader.Layout;
        return reader;
    }

    public string Address { get; set; } = "";

    public RoutingHeader Header { get; } = new();

    /// <summary>It arrived from another node (so routing was decided upstream); otherwise this node is its ingress.</summary>
    public bool FromNode { get; private set; }

    public bool Presettled { get; private set; }

    public Distribution Distribution { get; set; }

    public int Attempts { get; set; }

    /// <summary>A destination released it (rather than it failing to go anywhere).</summary>
    public bool WasReleased { get; set; }

    /// <summary>When this node started routing it (a <see cref="TimeProvider"/> timestamp).</summary>
    public long Started { get; set; }

    /// <summary>The routing snapshot its current round of attempts chose from.</summary>
    public long SnapshotVersion { get; set; }

    /// <summary>Routing knew a destination for it (so a failure is worth waiting out, unlike "nothing serves this").</summary>
    public bool SawRoute { get; set; }

    /// <summary>The ingress's current wait between rounds of attempts when routes do not change.</summary>
    public TimeSpan RetryDelay { get; set; }

    /// <summary>The span of this node's part, when traced: ended before the outcome goes upstream.</summary>
    public Activity? Activity { get; set; }

    // The current attempt: a local consumer, or a connection toward a destination node, and that node's load counter.
    public Consumer? Local { get; private set; }

    public RouterConnection? Hop { get; private set; }

    public string? DestNode { get; private set; }

    public StrongBox<int>? Load { get; private set; }

    /// <summary>A message that arrived on a link (from a neighbour or a client): its bytes are copied, the link's are lent.</summary>
    public void StartFromLink(ReceiverLink link, AmqpDelivery delivery, ProducerLink? producer, bool fromNode)
    {
        var payload = delivery.Payload.Span;
        if (_copy is null || _copy.Length < payload.Length)
        {
            ReturnBigCopy();

            // A big one comes from the shared pool and goes back once the message is done: a stream of 1 MiB messages
            // would otherwise allocate one large-object-heap array per message.
            _copy = payload.Length > MaxKeptBuffer
                ? ArrayPool<byte>.Shared.Rent(payload.Length)
                : GC.AllocateUninitializedArray<byte>((int)Math.Max(256, BitOperations.RoundUpToPowerOf2((uint)payload.Length)));
        }

        payload.CopyTo(_copy);
        Message = _copy.AsMemory(0, payload.Length);
        _messageIsCopy = true;
        _upstreamLink = link;
        _upstreamDelivery = delivery;
        _producer = producer;
        FromNode = fromNode;
        Presettled = delivery.RemoteSettled;
    }

    /// <summary>
    /// A message from this process: its bytes are the caller's, used until the outcome, which completes
    /// <paramref name="completion"/> or goes to <paramref name="onOutcome"/>.
    /// </summary>
    public void StartLocal(ReadOnlyMemory<byte> message, TaskCompletionSource<DeliveryState>? completion, Action<DeliveryState>? onOutcome, bool lent = false, bool presettled = false)
    {
        Message = message;
        _messageIsLent = lent;
        _completion = completion;
        _onOutcome = onOutcome;
        FromNode = false;
        Presettled = presettled;
    }

    /// <summary>
    /// Makes <see cref="Message"/> bytes of its own if the caller only lent them for the call (a publish), before a
    /// consumer on this node is handed them: its delivery may end after the call returned.
    /// </summary>
    public void KeepMessage()
    {
        if (_messageIsLent)
        {
            Message = Message.ToArray();
            _messageIsLent = false;
        }
    }

    /// <summary>
    /// The message's bytes, to keep beyond this instance's life (in-process consumers of a multicast message, whose
    /// deliveries end after its outcome went upstream): a copy this instance owns is given away and not reused.
    /// </summary>
    public ReadOnlyMemory<byte> GiveAwayMessage()
    {
        if (_messageIsCopy)
        {
            _copy = null;
        }

        return Message;
    }

    /// <summary>The buffer the message is rewritten into for its next hop (reset).</summary>
    public AmqpBuffer RewriteBuffer()
    {
        _rewritten.Reset();
        return _rewritten;
    }

    /// <summary>
    /// Starts an attempt to deliver to a consumer on this node (<paramref name="destNode"/>: this node, when the ingress
    /// chose it); returns the token of a send to a client's link.
    /// </summary>
    public int BeginLocal(Consumer local, string? destNode)
    {
        Local = local;
        Hop = null;
        DestNode = destNode;
        Load = null;
        return Interlocked.Increment(ref _token);
    }

    /// <summary>Starts an attempt toward <paramref name="destNode"/> through <paramref name="hop"/>; returns the send's token.</summary>
    public int BeginRemote(RouterConnection hop, string destNode, StrongBox<int> load)
    {
        Local = null;
        Hop = hop;
        DestNode = destNode;
        Load = load;
        return Interlocked.Increment(ref _token);
    }

    /// <summary>New routes came: forget what failed under the old ones.</summary>
    public void StartOver(long snapshotVersion)
    {
        SnapshotVersion = snapshotVersion;
        _excluded.Clear();
        Attempts = 0;
    }

    public void Exclude(object destination) => _excluded.Add(destination);

    public bool IsExcluded(object destination) => _excluded.Count > 0 && _excluded.Contains(destination);

    /// <summary>Settles upstream exactly once (ending the span first). False when it was already finished.</summary>
    public bool Finish(DeliveryState state)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return false;
        }

        if (Activity is { } activity)
        {
            Activity = null;
            RouterTelemetry.StopForward(activity, state);
        }

        if (_completion is { } completion)
        {
            completion.TrySetResult(state);
        }
        else if (_onOutcome is { } onOutcome)
        {
            onOutcome(state);
        }
        else if (_upstreamDelivery is { } delivery)
        {
            // The delivery goes back to its link for reuse: not touched after this.
            _upstreamDelivery = null;
            _upstreamLink!.SettleAndRecycle(delivery, Presettled ? null : state);
            _producer?.ReturnCredit();
        }

        return true;
    }

    /// <summary>The outcome of a forward: handed to the node unless it belongs to an earlier send.</summary>
    void IDeliveryOutcomeSink.OnOutcome(DeliveryState? state, AmqpException? failure, int token)
    {
        if (token == Volatile.Read(ref _token))
        {
            _router.OnForwardOutcome(this, state, failure);
        }
    }

    /// <summary>A copy bigger than kept goes back to the pool (one given away is not this instance's any more).</summary>
    private void ReturnBigCopy()
    {
        if (_copy is { Length: > MaxKeptBuffer } big)
        {
            _copy = null;
            ArrayPool<byte>.Shared.Return(big);
        }
    }

    /// <summary>
    /// Forgets the message so the instance can be pooled (buffers that grew for a big message are let go). Called once
    /// it is finished and nothing refers to it.
    /// </summary>
    public void Reset()
    {
        Interlocked.Increment(ref _token);
        Message = default;
        Layout = default;
        _messageIsCopy = false;
        _messageIsLent = false;
        Address = "";
        Header.Clear();
        FromNode = false;
        Presettled = false;
        Distribution = default;
        Attempts = 0;
        WasReleased = false;
        _excluded.Clear();
        Started = 0;
        SnapshotVersion = 0;
        SawRoute = false;
        RetryDelay = TimeSpan.Zero;
        Activity = null;
        Local = null;
        Hop = null;
        DestNode = null;
        Load = null;
        _upstreamLink = null;
        _upstreamDelivery = null;
        _producer = null;
        _completion = null;
        _onOutcome = null;
        ReturnBigCopy();

        if (_rewritten.Capacity > MaxKeptBuffer)
        {
            _rewritten.Dispose();
            _rewritten = new AmqpBuffer(512);
        }

        Volatile.Write(ref _finished, 0);
    }

    public void Dispose() => _rewritten.Dispose();
}
