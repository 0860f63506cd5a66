using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Transport;

namespace Van.Routing.Tests.Security;

/// <summary>
/// Real nodes on 127.0.0.1 TCP (port 0) for the policy tests: each listens, and connects to the node named when it is
/// added; plus plain AMQP clients (or connections that claim to be nodes) of a node's listener, and captured logs.
/// </summary>
internal sealed class PolicyTestNetwork : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Long, so a message that waited for routes instead of failing at once would show: "fast" no-route answers must
    /// come well within it.
    /// </summary>
    public static readonly TimeSpan RerouteTimeout = TimeSpan.FromSeconds(20);

    private readonly List<AmqpConnection> _connections = [];

    public Dictionary<string, VanRouter> Nodes { get; } = new(StringComparer.Ordinal);

    public CapturedLogs Logs { get; } = new();

    public async Task<VanRouter> AddAsync(string id, string site, string? connectTo = null, Action<VanRouterOptions>? configure = null)
    {
        var options = new VanRouterOptions
        {
            NodeId = id,
            Site = site,

            // Links fail here only by closing; a starved test host must not declare a live neighbour dead.
            HelloInterval = TimeSpan.FromSeconds(10),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
            RerouteTimeout = RerouteTimeout,
            LoggerFactory = Logs,
        };
        options.Listeners.Add(new VanEndpoint { Host = "127.0.0.1", Port = 0 });
        if (connectTo is not null)
        {
            options.Connectors.Add(new VanEndpoint { Host = "127.0.0.1", Port = PortOf(connectTo) });
        }

        configure?.Invoke(options);
        var node = new VanRouter(options);
        Nodes[id] = node;
        await node.StartAsync();
        return node;
    }

    /// <summary>A(west) — B(hub) — C(east), converged.</summary>
    public static async Task<PolicyTestNetwork> ThreeSitesAsync(Action<VanRouterOptions>? a = null, Action<VanRouterOptions>? b = null, Action<VanRouterOptions>? c = null)
    {
        var net = new PolicyTestNetwork();
        await net.AddAsync("A", "west", configure: a);
        await net.AddAsync("B", "hub", connectTo: "A", configure: b);
        await net.AddAsync("C", "east", connectTo: "B", configure: c);
        await WaitUntilAsync(() => net.Nodes.Values.All(n => n.Snapshot.ReachableNodes.Count == 2), "A, B and C to route to each other");
        return net;
    }

    public int PortOf(string id) => Nodes[id].ListenEndpoints[0].Port;

    /// <summary>An ordinary AMQP client session on the node's listener (or, with <paramref name="claimNodeId"/>, a connection claiming to be that node).</summary>
    public async Task<AmqpSession> ConnectAsync(string node, string? claimNodeId = null)
    {
        var transport = await AmqpConnector.ConnectAsync("127.0.0.1", PortOf(node)).WaitAsync(Deadline);
        var properties = claimNodeId is null ? null : new Dictionary<AmqpSymbol, object?>
        {
            [new AmqpSymbol("van-role")] = "inter-node",
            [new AmqpSymbol("van-id")] = claimNodeId,
            [new AmqpSymbol("van-site")] = "nowhere",
        };
        var connection = await AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions { Properties = properties }).WaitAsync(Deadline);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        return await connection.BeginSessionAsync().WaitAsync(Deadline);
    }

    public static byte[] Message(string? to, string body, string? replyTo = null, Dictionary<AmqpSymbol, object?>? annotations = null)
    {
        var message = AmqpMessage.Create(body);
        message.Properties = new Properties { To = to, ReplyTo = replyTo, MessageId = Guid.NewGuid().ToString("N") };
        message.MessageAnnotations = annotations;
        return message.ToArray();
    }

    /// <summary>The routing annotations a node puts on a message it forwards toward <paramref name="dest"/>.</summary>
    public static Dictionary<AmqpSymbol, object?> Routed(string to, string dest, params string[] trace) => new()
    {
        [new AmqpSymbol(RoutingAnnotationKeys.To)] = to,
        [new AmqpSymbol(RoutingAnnotationKeys.Dest)] = new List<object?> { dest },
        [new AmqpSymbol(RoutingAnnotationKeys.Trace)] = trace.Cast<object?>().ToList(),
    };

    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {Deadline.TotalSeconds} s waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        foreach (var node in Nodes.Values)
        {
            await node.DisposeAsync();
        }

    }
}

/// <summary>Every log entry (Debug and up) of the nodes that log to it, for tests to look for.</summary>
internal sealed class CapturedLogs : ILoggerFactory
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                logs.Entries.Enqueue((category, logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}
