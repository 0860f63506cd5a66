using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Transport;
using Van.Routing.Internal;
using Van.Routing.Internal.Topology;

namespace Van.Routing;

/// <summary>
/// A Van node: accepts other nodes and AMQP clients, connects to other nodes, takes part in link-state routing and
/// forwards every message to the best live consumer of its address anywhere in the network.
/// </summary>
/// <remarks>
/// Routing state is computed on one control loop and published as immutable snapshots; the message path reads
/// them lock-free. Message bodies are forwarded as received: only the routing annotations are rewritten per hop.
/// </remarks>
public sealed partial class VanRouter : IAsyncDisposable
{
    /// <summary>The address every node answers with its view of the network (JSON), for <c>van status</c>.</summary>
    public const string StatusAddress = "_van/status";

    private readonly VanRouterOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<ListenerState> _listeners = [];
    private readonly List<Task> _background = [];
    private readonly ConcurrentDictionary<RouterConnection, byte> _connections = new();
    private readonly ConcurrentDictionary<string, RouterConnection[]> _neighbours = new(StringComparer.Ordinal);
    private readonly LocalAddressTable _local = new();
    private readonly Channel<ControlEvent> _control = Channel.CreateUnbounded<ControlEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly RoutingProtocol _protocol;
    private readonly KeyValuePair<string, Distribution>[] _distributions;
    private readonly string _nodeAddressPrefix;
    private volatile RoutingSnapshot _snapshot;
    private TaskCompletionSource _snapshotChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextReplyId;
    private int _started;

    /// <summary>Creates a node; <see cref="StartAsync"/> starts it.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message says which and why.</exception>
    public VanRouter(VanRouterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = options.TimeProvider;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Van.Routing.VanRouter");
        NodeId = options.NodeId;
        _nodeAddressPrefix = NodeAddressPrefix + NodeId + "/";
        _distributions = [.. options.Distributions.OrderByDescending(d => d.Key.Length)];
        var protocolOptions = new RoutingProtocolOptions { HelloInterval = options.HelloInterval, DeadAfterMissedHellos = options.DeadAfterMissedHellos };
        _protocol = new RoutingProtocol(NodeId, options.Site, _time.GetUtcNow().ToUnixTimeMilliseconds(), new ProtocolOutput(this), _time, protocolOptions);
        _snapshot = _protocol.Snapshot;
        TelemetryTags = RouterTelemetry.NodeTags(NodeId);
    }

    /// <summary>The prefix of node addresses: <c>_van/node/&lt;id&gt;/…</c> routes to node <c>id</c>.</summary>
    public const string NodeAddressPrefix = "_van/node/";

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>The addresses the listeners are bound to (real ports), once started.</summary>
    public IReadOnlyList<IPEndPoint> ListenEndpoints => [.. _listeners.Select(l => l.Listener.LocalEndPoint)];

    internal RoutingSnapshot Snapshot => _snapshot;

    /// <summary>The tags of this node's node-wide measurements (<c>van.node</c>), built once.</summary>
    internal KeyValuePair<string, object?>[] TelemetryTags { get; }

    /// <summary>Neighbour nodes with at least one open connection (for the <c>van.router.nodes.connected</c> gauge).</summary>
    internal int ConnectedNeighbourCount
    {
        get
        {
            var count = 0;
            foreach (var (_, connections) in _neighbours)
            {
                foreach (var rc in connections)
                {
                    if (!rc.IsClosed)
                    {
                        count++;
                        break;
                    }
                }
            }

            return count;
        }
    }

    internal bool HasLocalConsumer(string address) => _local.Get(address).Length > 0;

    /// <summary>Open connections to a neighbour (for tests).</summary>
    internal int ConnectionsTo(string neighbourId) => _neighbours.TryGetValue(neighbourId, out var list) ? list.Count(c => !c.IsClosed) : 0;

    /// <summary>Control messages this node has sent (for simulations; read racily while the node runs).</summary>
    internal long ControlMessagesSent => _protocol.MessagesSent;

    /// <summary>Binds the listeners, starts the control loop and the connectors.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"Node '{NodeId}' is already started.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        foreach (var endpoint in _options.Listeners)
        {
            var address = endpoint.Host is "localhost" ? IPAddress.Loopback
                : endpoint.Host is "*" or "0.0.0.0" ? IPAddress.Any
                : IPAddress.TryParse(endpoint.Host, out var ip) ? ip
                : Dns.GetHostAddresses(endpoint.Host)[0];
            var listener = StartListener(endpoint, new IPEndPoint(address, endpoint.Port));
            _listeners.Add(listener);
            Log.Listening(_logger, NodeId, listener.Name);
            _background.Add(AcceptLoopAsync(listener));
        }

        RouterTelemetry.Register(this);
        _background.Add(RunControlLoopAsync());
        _background.Add(RunTimerAsync());
        AddLocalService(StatusAddress, HandleStatusAsync, 16);
        foreach (var endpoint in _options.Connectors)
        {
            // TLS: the endpoint's or the node's settings; a client certificate authenticates this node (SASL EXTERNAL).
            var tlsOptions = endpoint.UseTls ? endpoint.Tls ?? _options.Tls : null;
            var tls = endpoint.UseTls ? ClientTls(endpoint, tlsOptions) : null;
            var sasl = tlsOptions?.Certificate is not null ? SaslCredentials.External : SaslCredentials.Anonymous;
            lock (_background)
            {
                _background.Add(ConnectorLoopAsync(endpoint.ToString(), ct => ConnectTcpAsync(endpoint, tls, ct), endpoint.Cost, sasl));
            }
        }

        return Task.CompletedTask;
    }

    private static async ValueTask<AmqpTransport> ConnectTcpAsync(VanEndpoint endpoint, SslClientAuthenticationOptions? tls, CancellationToken cancellationToken) =>
        await AmqpConnector.ConnectAsync(endpoint.Host, endpoint.Port, tls, cancellationToken);

    /// <summary>
    /// Keeps a connection to another node: dials with <paramref name="dial"/>, and redials with capped, jittered
    /// backoff whenever it fails or closes, until the node stops.
    /// </summary>
    public void AddConnector(string name, Func<CancellationToken, ValueTask<AmqpTransport>> dial, int cost = 1)
    {
        ArgumentNullException.ThrowIfNull(dial);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 1);
        lock (_background)
        {
            _background.Add(ConnectorLoopAsync(name, dial, cost));
        }
    }

    /// <summary>
    /// Serves an accepted transport (a listener of your own, or an in-memory transport) as this node's peer. Such a
    /// transport admits nodes and clients alike, with SASL ANONYMOUS; the node's limits apply, its listeners' rules
    /// do not.
    /// </summary>
    public Task AcceptAsync(AmqpTransport transport, int cost = 1)
    {
        ArgumentNullException.ThrowIfNull(transport);
        return ServeAcceptedAsync(transport, cost, sasl: null, RouterConnection.Admission.Everyone, "(in-process)");
    }

    /// <summary>
    /// Serves <paramref name="address"/> in this process: messages routed to it call <paramref name="handler"/>, at
    /// most about <paramref name="capacity"/> at a time before other nodes overflow to other instances. The node
    /// advertises the address to the network. Dispose the result to withdraw it.
    /// </summary>
    public IDisposable AddLocalService(string address, LocalServiceHandler handler, int capacity = 64)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var consumer = new LocalServiceConsumer(address, handler, capacity, _stopping.Token);
        AddConsumer(consumer);
        return new Registration(() =>
        {
            consumer.Remove();
            RemoveConsumer(consumer);
        });
    }

    /// <summary>
    /// The nodes this node knows to serve <paramref name="address"/>, cheapest first (this node, if it does, first):
    /// what routing chooses among.
    /// </summary>
    public IReadOnlyList<string> NodesServing(string address)
    {
        var remote = _snapshot.GetDestinations(address);
        var nodes = new List<string>(remote.Count + 1);
        if (HasLocalConsumer(address))
        {
            nodes.Add(NodeId);
        }

        foreach (var d in remote)
        {
            nodes.Add(d.NodeId);
        }

        return nodes;
    }

    /// <summary>A fresh node address on this node, for replies: messages sent to it reach only this node.</summary>
    public string NewReplyAddress() => $"{_nodeAddressPrefix}r/{Interlocked.Increment(ref _nextReplyId)}";

    /// <summary>
    /// Routes an encoded AMQP message from this process, by its <c>to</c> property, and returns its outcome:
    /// accepted, rejected with <see cref="VanErrors.NoRoute"/> at once when nothing serves the address, and so on.
    /// </summary>
    public Task<DeliveryState> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var completion = new TaskCompletionSource<DeliveryState>(TaskCreationOptions.RunContinuationsAsynchronously);
        RouteFromLocal(message, multicast: false, completion);
        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Routes an encoded AMQP message from this process as <see cref="SendAsync"/> does, but reports its outcome by
    /// calling <paramref name="onOutcome"/> (once) instead of completing a task: no task and no thread-pool hop per
    /// message, for callers that pool message buffers. <paramref name="message"/> must stay valid until then (the node
    /// may resend it to another destination until it has an outcome); to a multicast address, whose copies to this
    /// node's consumers are delivered after the outcome, it must stay unchanged for good, as for
    /// <see cref="PublishAsync"/>. <paramref name="onOutcome"/> runs on whatever thread learns the outcome (a
    /// connection's reader, a local service's continuation, or this caller before <c>Send</c> returns): it must be short
    /// and must neither block nor throw.
    /// </summary>
    public void Send(ReadOnlyMemory<byte> message, Action<DeliveryState> onOutcome)
    {
        ArgumentNullException.ThrowIfNull(onOutcome);
        RouteIngress(message, null, presettled: false, onOutcome);
    }

    /// <summary>
    /// Routes an encoded AMQP message from this process as <see cref="Send"/> does, but pre-settled: at most once, for
    /// messages whose sender needs nothing from the far end, such as replies (the caller's node would only tell whether
    /// its caller was still waiting). No node sends a disposition for it, and no node keeps it once it left.
    /// <paramref name="onOutcome"/> learns what this node knows: accepted once the message left it, a consumer's
    /// outcome when one on this node took it, rejected with <see cref="VanErrors.NoRoute"/> when nothing serves the address. A message
    /// lost on a link that fails after it left is not resent. <paramref name="message"/> must stay valid until the
    /// outcome (a message waiting for a link's credit is sent from it).
    /// </summary>
    public void SendPresettled(ReadOnlyMemory<byte> message, Action<DeliveryState> onOutcome)
    {
        ArgumentNullException.ThrowIfNull(onOutcome);
        RouteIngress(message, null, presettled: true, onOutcome);
    }

    /// <summary>
    /// Routes an encoded AMQP message from this process to every consumer of its <c>to</c> address, whatever the
    /// address's configured distribution (each consumer once, along the shortest-path tree). Completes with accepted
    /// once the copies have left, or rejected with <see cref="VanErrors.NoRoute"/> when nothing consumes the address.
    /// The outcome is known before this returns, and <paramref name="message"/> is only read until then: copies that
    /// outlive the call (to this node's consumers, or waiting for a link's credit) have bytes of their own, so a
    /// pooled buffer can be reused at once.
    /// </summary>
    public Task<DeliveryState> PublishAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        // Routing a publish reports its outcome before it returns: usually a completed task, without a completion source.
        var outcome = LocalOutcome.Rent();
        RouteIngress(message, null, presettled: false, outcome.OnOutcome, multicast: true);
        return outcome.TakeTask().WaitAsync(cancellationToken);
    }

    /// <summary>Stops listening, closes every connection and the control loop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        RouterTelemetry.Unregister(this);
        foreach (var listener in _listeners)
        {
            await listener.Listener.DisposeAsync();
        }

        var closing = _connections.Keys.Select(async c =>
        {
            if (c.Connection is { } connection)
            {
                await CloseQuietlyAsync(connection, null);
                await connection.DisposeAsync();
            }
        });
        await Task.WhenAll(closing);
        _control.Writer.TryComplete();
        Task[] background;
        lock (_background)
        {
            background = [.. _background];
        }

        try
        {
            await Task.WhenAll(background).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Loops end on the stopping token; one stuck on a dead socket is abandoned.
        }

        _stopping.Dispose();
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
