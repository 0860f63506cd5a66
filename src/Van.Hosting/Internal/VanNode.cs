using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Routing;
using Van.Routing.Internal;

namespace Van.Internal;

/// <summary>
/// The process's node as a hosted service: starts the router with the host, advertises the mapped services, and on
/// stop withdraws them, drains running handlers and waiting calls, then leaves the network.
/// </summary>
internal sealed class VanNode : IVanNode, IHostedService, IAsyncDisposable, IDisposable
{
    private readonly VanOptions _options;
    private readonly IServiceProvider _services;
    private readonly ServiceRegistration[] _registrations;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<VanRouter> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _leaving = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly List<IDisposable> _advertised = [];
    private readonly StripedTable<ulong, PendingCall> _calls = new();
    private readonly StripedTable<(string ReplyTo, WireId Id), (HandlerCancellation Cancel, int Generation)> _running = new(RunningCallComparer.Instance);
    private readonly ObjectStack<PendingCall> _callPool = new(PoolSize);
    private readonly ObjectStack<OutgoingReply> _replyPool = new(PoolSize);
    private readonly ObjectStack<AmqpBuffer> _bufferPool = new(PoolSize);
    private readonly bool _anyMulticast;
    private VanRouter? _router;
    private FrozenDictionary<string, ServiceEndpoint> _direct = FrozenDictionary<string, ServiceEndpoint>.Empty;
    private string _replyTo = "";
    private long _nextCallId;
    private int _handlers;
    private int _stopped;

    /// <summary>How long a stopping node stays linked after withdrawing its services, at least (within the drain timeout).</summary>
    internal static readonly TimeSpan LeaveGrace = TimeSpan.FromMilliseconds(250);

    /// <summary>Pending calls, replies and send buffers each kept for reuse: more than this many at once are made and dropped.</summary>
    private const int PoolSize = 256;

    /// <summary>Buffers bigger than this go back to the array pool rather than being kept for reuse.</summary>
    private const int MaxKeptBytes = 64 * 1024;

    public VanNode(IOptions<VanOptions> options, IServiceProvider services, IEnumerable<ServiceRegistration> registrations, IVanSerializer serializer, ILoggerFactory? loggerFactory = null)
    {
        _options = options.Value;
        _services = services;
        _registrations = [.. registrations];
        Serializer = serializer;
        _loggerFactory = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Van.Hosting.VanNode");
        NodeId = string.IsNullOrEmpty(_options.NodeId) ? DefaultNodeId() : _options.NodeId;
        _anyMulticast = _options.Services.Values.Any(s => s.Distribution == Distribution.Multicast);
    }

    /// <summary>Strings read off the wire (reply addresses, operation names, content types), decoded once.</summary>
    public Utf8Cache Strings { get; } = new();

    /// <summary>Resumes callers whose replies arrived, a burst at a time.</summary>
    public CompletionDispatcher Completions { get; } = new();

    public string NodeId { get; }

    public string Site => _options.Site;

    public bool IsRunning => _router is not null && !_leaving.IsCancellationRequested;

    public IReadOnlyList<System.Net.IPEndPoint> ListenEndpoints => _router?.ListenEndpoints ?? [];

    public IVanSerializer Serializer { get; }

    public TimeSpan RequestTimeout => _options.RequestTimeout;

    /// <summary>Cancelled when the node starts to stop: subscriptions end.</summary>
    public CancellationToken Leaving => _leaving.Token;

    /// <summary>Cancelled when the drain timeout passed with handlers still running.</summary>
    public CancellationToken Abandoning => _abandon.Token;

    public VanRouter? Router => _router;

    private static int s_defaultIds;

    /// <summary>Host name and process id; a second node in the same process (tests, demos) gets "-2" and so on.</summary>
    internal static string DefaultNodeId()
    {
        var host = new string([.. Environment.MachineName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        var n = Interlocked.Increment(ref s_defaultIds);
        return n == 1 ? $"{host}-{Environment.ProcessId}" : $"{host}-{Environment.ProcessId}-{n}";
    }

    /// <summary>The router once the node has started; waits for the start (bounded by the caller's token).</summary>
    public ValueTask<VanRouter> GetRouterAsync(CancellationToken cancellationToken) =>
        StartedRouter() is { } router ? new(router) : new(_ready.Task.WaitAsync(cancellationToken));

    /// <summary>The router once the node has started, null before (<see cref="GetRouterAsync"/> waits for it).</summary>
    /// <exception cref="InvalidOperationException">The node has stopped.</exception>
    public VanRouter? StartedRouter() => Volatile.Read(ref _stopped) != 0
        ? throw new InvalidOperationException($"The Van node '{NodeId}' has stopped.")
        : _router;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = new VanRouterOptions
        {
            NodeId = NodeId,
            Site = _options.Site,
            HelloInterval = _options.HelloInterval,
            LoggerFactory = _loggerFactory,
        };
        foreach (var listener in _options.Listeners)
        {
            LinkUrl.TryParse(listener, 1, listener: true, out var endpoint, out _);
            options.Listeners.Add(endpoint);
        }

        options.Tls = SecuritySetup.LoadTls(_options);
        for (var i = 0; i < _options.Links.Count; i++)
        {
            var link = _options.Links[i];
            if (!string.IsNullOrWhiteSpace(link.Token))
            {
                options.Connectors.Add(SecuritySetup.LoadToken(link, $"Van:Links:{i}", TimeProvider.System));
                continue;
            }

            LinkUrl.TryParse(link.Url, link.Cost, listener: false, out var endpoint, out _);
            options.Connectors.Add(endpoint);
        }

        SecuritySetup.ApplyPolicyAndLimits(_options, options);

        foreach (var (address, service) in _options.Services)
        {
            options.Distributions[address] = service.Distribution;
        }

        var router = new VanRouter(options);
        try
        {
            await router.StartAsync(cancellationToken);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await router.DisposeAsync();
            throw new InvalidOperationException($"Van node '{NodeId}' cannot listen on {string.Join(", ", _options.Listeners)}: {e.Message}", e);
        }

        _replyTo = router.NewReplyAddress();
        _advertised.Add(router.AddLocalService(_replyTo, OnReplyAsync, capacity: 10_000));
        _advertised.Add(router.AddLocalService(Wire.CancelAddressOf(NodeId), OnCancelAsync, capacity: 64));
        var direct = new Dictionary<string, ServiceEndpoint>(StringComparer.Ordinal);
        foreach (var registration in _registrations)
        {
            var concurrency = _options.Services.TryGetValue(registration.Address, out var s) && s.MaxConcurrency is { } max ? max : _options.DefaultMaxConcurrency;
            var endpoint = new ServiceEndpoint(this, registration.Address, registration.CreateHandler(_services), concurrency);
            _advertised.Add(router.AddLocalService(registration.Address, endpoint.HandleAsync, concurrency));
            if (DistributionOf(registration.Address) == Distribution.Closest)
            {
                // "Closest" picks a local instance with room first: a caller here may skip the router for it.
                direct[registration.Address] = endpoint;
            }
        }

        _direct = direct.ToFrozenDictionary(StringComparer.Ordinal);

        _router = router;
        _ready.TrySetResult(router);
        Log.Started(
            _logger,
            NodeId,
            _options.Site,
            string.Join(", ", router.ListenEndpoints),
            string.Join(", ", _options.Links.Select(l => $"{l.Url} (cost {l.Cost})")),
            string.Join(", ", _registrations.Select(r => r.Address)));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0 || _router is not { } router)
        {
            _ready.TrySetException(new InvalidOperationException($"The Van node '{NodeId}' stopped before it started."));
            return;
        }

        // Withdraw the services first, so the network routes new calls to other instances while this one drains.
        // The reply and cancel addresses stay until the end: calls still waiting need them.
        for (var i = 2; i < _advertised.Count; i++)
        {
            _advertised[i].Dispose();
        }

        await _leaving.CancelAsync();
        Log.Draining(_logger, NodeId, Volatile.Read(ref _handlers), _calls.Count);
        var now = Stopwatch.GetTimestamp();
        var deadline = now + (long)(_options.DrainTimeout.TotalSeconds * Stopwatch.Frequency);

        // Even with nothing running, stay linked a moment: a neighbour that routed here before it heard of the
        // withdrawal gets its message released (and re-routed) rather than lost in doubt with the connection.
        var graceEnd = Math.Min(deadline, now + (long)(LeaveGrace.TotalSeconds * Stopwatch.Frequency));
        try
        {
            while ((Volatile.Read(ref _handlers) > 0 || !_calls.IsEmpty || Stopwatch.GetTimestamp() < graceEnd) && Stopwatch.GetTimestamp() < deadline)
            {
                // Shutdown only: polling a count beats a signal on every handler's exit on the hot path.
                await Task.Delay(10, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout is shorter than ours: leave now.
        }

        if (Volatile.Read(ref _handlers) > 0 || !_calls.IsEmpty)
        {
            Log.DrainTimedOut(_logger, NodeId, Volatile.Read(ref _handlers), _calls.Count);
            await _abandon.CancelAsync();
        }

        foreach (var (id, call) in _calls.Snapshot())
        {
            call.TryFail(id, new VanLinkLostException(call.Address, $"the local node '{NodeId}' stopped while the call was waiting for its reply"));
        }

        _advertised[0].Dispose();
        _advertised[1].Dispose();
        await router.DisposeAsync();
        Log.Stopped(_logger, NodeId);
    }

    /// <summary>For containers disposed synchronously: stops the node if the host did not (blocking, once).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _stopped) == 0 && _router is not null)
        {
            await StopAsync(CancellationToken.None);
        }

        _leaving.Dispose();
        _abandon.Dispose();
        Completions.Dispose();
        while (_callPool.Rent() is { } call)
        {
            call.Dispose();
        }

        while (_replyPool.Rent() is { } reply)
        {
            reply.Dispose();
        }

        while (_bufferPool.Rent() is { } buffer)
        {
            buffer.Dispose();
        }
    }

    public string ReplyTo => _replyTo;

    /// <summary>
    /// Starts a call to <paramref name="address"/> (a pooled one when there is one) and registers it for its reply; its
    /// deadline fires in <paramref name="deadlineIn"/>. The caller ends it with <see cref="EndCall"/>.
    /// </summary>
    public PendingCall StartCall(string address, TimeSpan timeout, TimeSpan deadlineIn)
    {
        var call = _callPool.Rent() ?? new PendingCall(this);
        var id = (ulong)Interlocked.Increment(ref _nextCallId);
        call.Start(id, address, timeout, deadlineIn);
        _calls.TryAdd(id, call); // ids are never reused: always added
        return call;
    }

    /// <summary>
    /// Starts a one-way call to <paramref name="address"/> (a send: it completes when the router reports the message
    /// accepted). It expects no reply, so it is not registered for one, and the node's stop does not fail it: the
    /// router's outcome or its deadline ends it, as for any send. The caller ends it with <see cref="EndSend"/>.
    /// </summary>
    public PendingCall StartSend(string address, TimeSpan timeout, TimeSpan deadlineIn)
    {
        var call = _callPool.Rent() ?? new PendingCall(this);
        call.Start((ulong)Interlocked.Increment(ref _nextCallId), address, timeout, deadlineIn, oneWay: true);
        return call;
    }

    /// <summary>The caller is done with the send <paramref name="call"/> (see <see cref="EndCall"/>).</summary>
    public static void EndSend(PendingCall call, bool awaited) => call.End(awaited);

    /// <summary>The caller is done with <paramref name="call"/> (it read the result, or failed before sending when <paramref name="awaited"/> is false).</summary>
    public void EndCall(PendingCall call, bool awaited)
    {
        _calls.TryRemove(call.Id);
        call.End(awaited);
    }

    /// <summary>Every party let go of <paramref name="call"/>: back to the pool.</summary>
    public void Recycle(PendingCall call)
    {
        if (call.Recycle() && !_callPool.Return(call))
        {
            call.Dispose();
        }
    }

    public void Recycle(OutgoingReply reply)
    {
        reply.Recycle();
        if (!_replyPool.Return(reply))
        {
            reply.Dispose();
        }
    }

    /// <summary>An empty buffer to encode a message in; give it back with <see cref="ReturnBuffer"/> once nothing reads it.</summary>
    public AmqpBuffer RentBuffer() => _bufferPool.Rent() ?? new AmqpBuffer();

    public void ReturnBuffer(AmqpBuffer buffer)
    {
        if (buffer.Length > MaxKeptBytes)
        {
            buffer.Dispose();
            return;
        }

        buffer.Reset();
        if (!_bufferPool.Return(buffer))
        {
            buffer.Dispose();
        }
    }

    /// <summary>
    /// The router delivers copies of a message to <paramref name="address"/> after it reported the send's outcome (a
    /// multicast address: copies to this node's consumers run on), so the message's bytes must outlive the send and
    /// cannot be a pooled buffer. Node addresses (replies) are always unicast.
    /// </summary>
    public bool Multicasts(string address) =>
        _anyMulticast && !address.StartsWith(VanRouter.NodeAddressPrefix, StringComparison.Ordinal) && DistributionOf(address) == Distribution.Multicast;

    /// <summary>
    /// Hands <paramref name="message"/> to the router, which calls <paramref name="onOutcome"/> with its outcome once it
    /// is done with the bytes (they stay valid until then): on the router's thread, without a task or a thread-pool hop,
    /// so the callbacks given here only return buffers to pools and complete calls (whose callers run elsewhere).
    /// </summary>
    public static void SendThen(VanRouter router, ReadOnlyMemory<byte> message, Action<DeliveryState> onOutcome) =>
        router.Send(message, onOutcome);

    public void EnterHandler() => Interlocked.Increment(ref _handlers);

    public void ExitHandler() => Interlocked.Decrement(ref _handlers);

    public bool TrackRunning(string? replyTo, WireId id, HandlerCancellation cancel, int generation) =>
        replyTo is not null && !id.IsNone && _running.TryAdd((replyTo, id), (cancel, generation));

    public void UntrackRunning(string replyTo, WireId id) => _running.TryRemove((replyTo, id));

    /// <summary>
    /// The caller gave up on <paramref name="call"/>: cancel its handler so it frees its slot. A handler in this
    /// process is cancelled directly; otherwise each other node serving the address hears it on its cancel address (rare:
    /// timeouts need no message, since the handler's deadline travels with the request). A node that withdrew the
    /// address meanwhile (one draining) is not told: its handler still ends at the call's deadline.
    /// </summary>
    public void CancelCall(PendingCall call)
    {
        if (_running.TryGetValue((_replyTo, WireId.Of(call.Id)), out var local))
        {
            local.Cancel.CancelFound(local.Generation);
            return;
        }

        if (_router is { } router)
        {
            foreach (var node in router.NodesServing(call.Address))
            {
                if (node != NodeId)
                {
                    using var buffer = new AmqpBuffer();
                    Wire.Write(buffer, Wire.CancelAddressOf(node), WireId.None, WireId.Of(call.Id), _replyTo, null, null, TimeSpan.FromSeconds(30), [], null, null, null);
                    _ = router.SendAsync(buffer.ToArray(), CancellationToken.None);
                }
            }
        }
    }

    /// <summary>
    /// Sends a handler's reply (encoded now: <paramref name="payload"/> need not outlive this call), pre-settled: the
    /// caller's node would only say whether its caller still waited, so no disposition comes back for it and no node
    /// keeps it once it left. A reply on a link that fails under it is not resent: its caller times out, as when a link
    /// fails between a request and its reply. What this node learns (no route back) goes to the log.
    /// </summary>
    public void SendReply(string replyTo, WireId correlationId, ReadOnlySpan<byte> payload)
    {
        if (_router is not { } router)
        {
            return;
        }

        var reply = _replyPool.Rent() ?? new OutgoingReply(this);
        try
        {
            Wire.Write(reply.Message, replyTo, WireId.None, correlationId, null, null, null, null, payload, null, null, null);
            reply.ReplyTo = replyTo;
            if (Multicasts(replyTo))
            {
                var copy = reply.Message.ToArray();
                Recycle(reply);
                _ = LogReplyOutcomeAsync(router.SendAsync(copy, CancellationToken.None), replyTo);
                return;
            }

            router.SendPresettled(reply.Message.WrittenMemory, reply.OnSent);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            // Not reused: the router may have the bytes.
            Log.ReplyLost(_logger, NodeId, replyTo, e.Message);
        }
    }

    private async Task LogReplyOutcomeAsync(Task<DeliveryState> sending, string replyTo)
    {
        var outcome = await sending.ConfigureAwait(false);
        if (outcome is not Accepted)
        {
            ReplyLost(replyTo, outcome);
        }
    }

    public void ReplyLost(string replyTo, DeliveryState outcome) =>
        Log.ReplyLost(_logger, NodeId, replyTo, outcome is Rejected { Error: { } e } ? $"{e.Condition}: {e.Description}" : outcome.GetType().Name);

    public ILogger Logger => _logger;

    /// <summary>The in-process endpoint of <paramref name="address"/> a caller here may call directly, if any.</summary>
    public bool TryGetDirect(string address, [NotNullWhen(true)] out ServiceEndpoint? endpoint) => _direct.TryGetValue(address, out endpoint);

    /// <summary>The distribution the router applies to <paramref name="address"/>: its longest configured prefix's.</summary>
    private Distribution DistributionOf(string address)
    {
        var best = -1;
        var distribution = Distribution.Closest;
        foreach (var (prefix, service) in _options.Services)
        {
            if (prefix.Length > best && address.StartsWith(prefix, StringComparison.Ordinal))
            {
                best = prefix.Length;
                distribution = service.Distribution;
            }
        }

        return distribution;
    }

    private ValueTask<DeliveryState> OnReplyAsync(ReadOnlyMemory<byte> encoded, CancellationToken cancellationToken)
    {
        IncomingMessage reply;
        try
        {
            reply = IncomingMessage.Read(encoded, Strings);
        }
        catch (AmqpDecodeException e)
        {
            Log.BadMessage(_logger, NodeId, _replyTo, e.Message);
            return new(Wire.Reject(ErrorCondition.DecodeError, e.Message));
        }

        if (reply.CorrelationId.TryGetNumber(out var id) && _calls.TryGetValue(id, out var call))
        {
            // Copied into the call's own buffer: the router reuses this one once this returns.
            call.TrySetReply(id, reply.Body.Span);
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.LateReply(_logger, NodeId, reply.CorrelationId.ToString());
        }

        return new(Accepted.Instance);
    }

    private ValueTask<DeliveryState> OnCancelAsync(ReadOnlyMemory<byte> encoded, CancellationToken cancellationToken)
    {
        try
        {
            var message = IncomingMessage.Read(encoded, Strings);
            if (message.ReplyTo is { } replyTo && !message.CorrelationId.IsNone && _running.TryGetValue((replyTo, message.CorrelationId), out var cancel))
            {
                cancel.Cancel.CancelFound(cancel.Generation);
            }
        }
        catch (AmqpDecodeException e)
        {
            Log.BadMessage(_logger, NodeId, Wire.CancelAddressOf(NodeId), e.Message);
        }

        return new(Accepted.Instance);
    }
}
