using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Routing;

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
    private readonly ConcurrentDictionary<ulong, PendingCall> _calls = new();
    private readonly ConcurrentDictionary<(string ReplyTo, object Id), CancellationTokenSource> _running = new();
    private VanRouter? _router;
    private FrozenDictionary<string, ServiceEndpoint> _direct = FrozenDictionary<string, ServiceEndpoint>.Empty;
    private string _replyTo = "";
    private long _nextCallId;
    private int _handlers;
    private int _stopped;

    /// <summary>How long a stopping node stays linked after withdrawing its services, at least (within the drain timeout).</summary>
    internal static readonly TimeSpan LeaveGrace = TimeSpan.FromMilliseconds(250);

    public VanNode(IOptions<VanOptions> options, IServiceProvider services, IEnumerable<ServiceRegistration> registrations, IVanSerializer serializer, ILoggerFactory? loggerFactory = null)
    {
        _options = options.Value;
        _services = services;
        _registrations = [.. registrations];
        Serializer = serializer;
        _loggerFactory = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Van.Hosting.VanNode");
        NodeId = string.IsNullOrEmpty(_options.NodeId) ? DefaultNodeId() : _options.NodeId;
    }

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
    public ValueTask<VanRouter> GetRouterAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _stopped) != 0)
        {
            throw new InvalidOperationException($"The Van node '{NodeId}' has stopped.");
        }

        return _router is { } router ? new(router) : new(_ready.Task.WaitAsync(cancellationToken));
    }

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

        foreach (var link in _options.Links)
        {
            LinkUrl.TryParse(link.Url, link.Cost, listener: false, out var endpoint, out _);
            options.Connectors.Add(endpoint);
        }

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

        foreach (var call in _calls.Values)
        {
            call.TrySetException(new VanLinkLostException(call.Address, $"the local node '{NodeId}' stopped while the call was waiting for its reply"));
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
    }

    public string ReplyTo => _replyTo;

    public PendingCall AddCall(string address, TimeSpan timeout)
    {
        var call = new PendingCall((ulong)Interlocked.Increment(ref _nextCallId), address, timeout);
        _calls[call.Id] = call;
        return call;
    }

    public void RemoveCall(PendingCall call) => _calls.TryRemove(call.Id, out _);

    public void EnterHandler() => Interlocked.Increment(ref _handlers);

    public void ExitHandler() => Interlocked.Decrement(ref _handlers);

    public bool TrackRunning(string? replyTo, object? id, CancellationTokenSource cancel) =>
        replyTo is not null && id is not null && _running.TryAdd((replyTo, id), cancel);

    public void UntrackRunning(string replyTo, object id) => _running.TryRemove((replyTo, id), out _);

    /// <summary>
    /// The caller gave up on <paramref name="call"/>: cancel its handler so it frees its slot. A handler in this
    /// process is cancelled directly; otherwise each other node serving the address hears it on its cancel address (rare:
    /// timeouts need no message, since the handler's deadline travels with the request). A node that withdrew the
    /// address meanwhile (one draining) is not told: its handler still ends at the call's deadline.
    /// </summary>
    public void CancelCall(PendingCall call)
    {
        if (_running.TryGetValue((_replyTo, call.Id), out var local))
        {
            CancelQuietly(local);
            return;
        }

        if (_router is { } router)
        {
            foreach (var node in router.NodesServing(call.Address))
            {
                if (node != NodeId)
                {
                    var message = Wire.Encode(Wire.CancelAddressOf(node), null, call.Id, _replyTo, null, null, TimeSpan.FromSeconds(30), ReadOnlyMemory<byte>.Empty, null, null, null);
                    _ = router.SendAsync(message, CancellationToken.None);
                }
            }
        }
    }

    /// <summary>Sends a handler's reply; its outcome only matters to the log (a caller that left drops it).</summary>
    public async Task SendReplyAsync(string replyTo, object? correlationId, ReadOnlyMemory<byte> payload, string? contentType)
    {
        if (_router is not { } router)
        {
            return;
        }

        try
        {
            var message = Wire.Encode(replyTo, null, correlationId, null, null, contentType, null, payload, null, null, null);
            var outcome = await router.SendAsync(message, CancellationToken.None);
            if (outcome is not Accepted)
            {
                Log.ReplyLost(_logger, NodeId, replyTo, outcome is Rejected { Error: { } e } ? $"{e.Condition}: {e.Description}" : outcome.GetType().Name);
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            Log.ReplyLost(_logger, NodeId, replyTo, e.Message);
        }
    }

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
        AmqpMessage reply;
        try
        {
            reply = AmqpMessage.Decode(encoded.Span);
        }
        catch (AmqpDecodeException e)
        {
            Log.BadMessage(_logger, NodeId, _replyTo, e.Message);
            return new(Wire.Reject(ErrorCondition.DecodeError, e.Message));
        }

        if (reply.Properties?.CorrelationId is ulong id && _calls.TryGetValue(id, out var call))
        {
            call.TrySetResult(Wire.BodyOf(reply));
        }
        else
        {
            Log.LateReply(_logger, NodeId, reply.Properties?.CorrelationId?.ToString() ?? "none");
        }

        return new(Accepted.Instance);
    }

    private ValueTask<DeliveryState> OnCancelAsync(ReadOnlyMemory<byte> encoded, CancellationToken cancellationToken)
    {
        try
        {
            var message = AmqpMessage.Decode(encoded.Span);
            if (message.Properties is { ReplyTo: { } replyTo, CorrelationId: { } id } && _running.TryGetValue((replyTo, id), out var cancel))
            {
                CancelQuietly(cancel);
            }
        }
        catch (AmqpDecodeException e)
        {
            Log.BadMessage(_logger, NodeId, Wire.CancelAddressOf(NodeId), e.Message);
        }

        return new(Accepted.Instance);
    }

    private static void CancelQuietly(CancellationTokenSource cancel)
    {
        try
        {
            cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The handler finished meanwhile.
        }
    }
}
