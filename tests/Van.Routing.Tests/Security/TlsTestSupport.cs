using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Transport;
using Van.Routing.Internal;
using Van.Routing.Tests.Network;

namespace Van.Routing.Tests.Security;

/// <summary>Nodes on real sockets (127.0.0.1, port 0) for the TLS, SASL, role and limit tests, and their logs.</summary>
internal sealed class SecureNetwork : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly List<VanRouter> _nodes = [];
    private readonly List<IAsyncDisposable> _clients = [];

    public TestLog Log { get; } = new();

    /// <summary>Starts a node; <paramref name="configure"/> adds its listeners and connectors.</summary>
    public async Task<VanRouter> StartAsync(string id, Action<VanRouterOptions> configure)
    {
        var options = new VanRouterOptions
        {
            NodeId = id,
            HelloInterval = TimeSpan.FromSeconds(10),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(300),
            LoggerFactory = Log.For(id),
        };
        configure(options);
        var node = new VanRouter(options);
        _nodes.Add(node);
        await node.StartAsync();
        return node;
    }

    /// <summary>Starts a node serving only one TLS listener (both roles), with <paramref name="tls"/> node-wide.</summary>
    public Task<VanRouter> StartTlsListenerAsync(string id, VanTlsOptions tls) => StartAsync(id, o =>
    {
        o.Tls = tls;
        o.Listeners.Add(Listener(tls: true));
    });

    /// <summary>A listener end point on 127.0.0.1 with a free port.</summary>
    public static VanEndpoint Listener(bool tls = false, VanConnectionRoles roles = VanConnectionRoles.Both, bool anonymous = true, VanTlsOptions? options = null) =>
        new() { Host = "127.0.0.1", Port = 0, UseTls = tls, Roles = roles, AllowAnonymous = anonymous, Tls = options };

    /// <summary>A connector to <paramref name="node"/>'s first listener.</summary>
    public static VanEndpoint To(VanRouter node, bool tls = false, VanTlsOptions? options = null, string host = "127.0.0.1") =>
        new() { Host = host, Port = node.ListenEndpoints[0].Port, UseTls = tls, Tls = options };

    /// <summary>An AMQP client connection (the Van.Core engine) to <paramref name="node"/>'s first listener.</summary>
    public async Task<AmqpConnection> ConnectClientAsync(
        VanRouter node,
        SslClientAuthenticationOptionsFactory? tls = null,
        SaslCredentials? sasl = null,
        bool skipSasl = false,
        Dictionary<AmqpSymbol, object?>? properties = null)
    {
        var port = node.ListenEndpoints[0].Port;
        var transport = await AmqpConnector.ConnectAsync("127.0.0.1", port, tls?.Invoke(), CancellationToken.None).WaitAsync(Deadline);
        try
        {
            var options = new AmqpConnectionOptions
            {
                Sasl = skipSasl ? null : sasl ?? SaslCredentials.Anonymous,
                Properties = properties,
                HandshakeTimeout = TimeSpan.FromSeconds(20),
            };
            var connection = await AmqpConnection.ConnectAsync(transport, options).WaitAsync(Deadline);
            _clients.Add(connection);
            return connection;
        }
        catch
        {
            await transport.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether <paramref name="node"/> has <paramref name="peer"/> as a neighbour with an open connection.</summary>
    public static bool AreNeighbours(VanRouter node, string peer) => node.ConnectionsTo(peer) > 0 && node.Snapshot.ReachableNodes.Contains(peer);

    /// <summary>The node's open connections as its status report lists them.</summary>
    public static List<StatusConnection> Connections(VanRouter node) => node.BuildStatus().Connections;

    /// <summary>Proves <paramref name="node"/> still serves clients: a fresh connection, a request to its echo service, the reply.</summary>
    public async Task AssertServesAsync(VanRouter node, SslClientAuthenticationOptionsFactory? tls = null, SaslCredentials? sasl = null)
    {
        await ServeOnceAsync(node, tls, sasl);
    }

    /// <summary>
    /// As <see cref="AssertServesAsync"/>, retrying a connection the node cut off (a slot not yet freed, or a handshake
    /// slower than a deliberately short handshake timeout on a loaded machine) until the deadline.
    /// </summary>
    public async Task AssertServesEventuallyAsync(VanRouter node, SslClientAuthenticationOptionsFactory? tls = null, SaslCredentials? sasl = null)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                await ServeOnceAsync(node, tls, sasl);
                return;
            }
            catch (Exception e) when (e is AmqpException or IOException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private async Task ServeOnceAsync(VanRouter node, SslClientAuthenticationOptionsFactory? tls, SaslCredentials? sasl)
    {
        using var echo = TestNetwork.Echo(node, "still-serving");
        var connection = await ConnectClientAsync(node, tls, sasl);
        var session = await connection.BeginSessionAsync().WaitAsync(Deadline);
        var replies = await session.OpenReceiverAsync("replies", null, credit: 10, dynamic: true).WaitAsync(Deadline);
        var sender = await session.OpenSenderAsync("requests", "still-serving").WaitAsync(Deadline);
        var request = Van.Core.Amqp.Messaging.AmqpMessage.Create("ping");
        request.Properties = new Van.Core.Amqp.Messaging.Properties { To = "still-serving", ReplyTo = replies.Address, MessageId = "1" };
        Assert.IsType<Van.Core.Amqp.Framing.Accepted>(await sender.SendAsync(request.ToArray()).WaitAsync(Deadline));
        var reply = await replies.ReceiveAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal("ping", Van.Core.Amqp.Messaging.AmqpMessage.Decode(reply.Payload.Span).Value);
        replies.Accept(reply);
        await connection.CloseAsync().WaitAsync(Deadline);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            try
            {
                await client.DisposeAsync();
            }
            catch (Exception e) when (e is AmqpException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                // Already gone.
            }
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}

/// <summary>Builds a client's TLS options per connection (SslStream options hold per-connection state).</summary>
internal delegate System.Net.Security.SslClientAuthenticationOptions SslClientAuthenticationOptionsFactory();

/// <summary>Every log line of the nodes in a test, by node, for asserting what a node said and why.</summary>
internal sealed class TestLog
{
    private readonly ConcurrentQueue<(string Node, LogLevel Level, string Message)> _lines = new();

    public ILoggerFactory For(string node) => new Factory(this, node);

    /// <summary>Every line, in order, for a failure message.</summary>
    public IEnumerable<string> All => _lines.Select(l => $"{l.Node} {l.Level}: {l.Message}");



    public IEnumerable<string> Lines(string node) => _lines.Where(l => l.Node == node).Select(l => l.Message);

    /// <summary>Waits until <paramref name="node"/> has logged a line containing every one of <paramref name="parts"/>; returns it.</summary>
    public async Task<string> WaitForAsync(string node, params string[] parts)
    {
        var deadline = DateTime.UtcNow + SecureNetwork.Deadline;
        while (true)
        {
            var found = Lines(node).FirstOrDefault(l => parts.All(p => l.Contains(p, StringComparison.OrdinalIgnoreCase)));
            if (found is not null)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for node {node} to log [{string.Join(", ", parts)}]; the nodes logged:\n{string.Join("\n", All.TakeLast(40))}");
            }

            await Task.Delay(10);
        }
    }

    public int Count(string node, params string[] parts) => Lines(node).Count(l => parts.All(p => l.Contains(p, StringComparison.OrdinalIgnoreCase)));

    private sealed class Factory(TestLog log, string node) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new Logger(log, node);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class Logger(TestLog log, string node) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log._lines.Enqueue((node, logLevel, $"{DateTime.UtcNow:HH:mm:ss.fff} {formatter(state, exception)}"));
    }
}
