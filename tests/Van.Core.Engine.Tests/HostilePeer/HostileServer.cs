using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Transport;

namespace Van.Core.Engine.Tests.HostilePeer;

/// <summary>What became of one connection the server accepted.</summary>
internal sealed class ServerSide(int index)
{
    public int Index { get; } = index;

    /// <summary>The wrapper around AcceptAsync and the connection's life; it never faults.</summary>
    public Task Run { get; set; } = Task.CompletedTask;

    /// <summary>Set when the handshake finished.</summary>
    public AmqpConnection? Connection { get; set; }

    /// <summary>Completes with the connection when the handshake finished, or null when it failed.</summary>
    public TaskCompletionSource<AmqpConnection?> Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What AcceptAsync threw: the documented way a refused handshake ends (AmqpException, TimeoutException).</summary>
    public Exception? HandshakeFailure { get; set; }

    /// <summary>Anything else that escaped: a bug.</summary>
    public Exception? Unexpected { get; set; }

    /// <summary>The error the server ended the connection with, if any.</summary>
    public Error? Error => Connection?.Error ?? (HandshakeFailure as AmqpException)?.Error;

    public override string ToString() =>
        $"#{Index}: connection={(Connection is null ? "none" : "yes")} error={Error} handshake={HandshakeFailure?.GetType().Name}: {HandshakeFailure?.Message} unexpected={Unexpected}";
}

/// <summary>
/// Routes links whose target starts with <see cref="StrictPrefix"/> to a receiver with fixed credit and no
/// refill (so a peer can overrun it); everything else goes to a <see cref="TestBroker"/>.
/// </summary>
internal sealed class HostileHandler(TestBroker broker) : AmqpConnectionHandler
{
    public const string StrictPrefix = "strict/";

    public uint StrictCredit { get; set; } = 2;

    public ConcurrentQueue<AmqpDelivery> StrictDeliveries { get; } = new();

    /// <summary>Whether strict receivers accept (settle) what arrives; false leaves every delivery unsettled.</summary>
    public bool StrictSettles { get; set; } = true;

    public ConcurrentQueue<AmqpLink> StrictLinks { get; } = new();

    /// <summary>Size of the message sent at once on every strict link where the server is the sender.</summary>
    public int StrictSendSize { get; set; } = 2000;

    /// <summary>The sends started on strict sender links, to check they never hang.</summary>
    public ConcurrentQueue<Task<DeliveryState?>> StrictSends { get; } = new();

    public override Error? OnLinkAttaching(AmqpLink link) => broker.OnLinkAttaching(link);

    public override void OnLinkAttached(AmqpLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (link is ReceiverLink receiver && receiver.Address is { } address && address.StartsWith(StrictPrefix, StringComparison.Ordinal))
        {
            StrictLinks.Enqueue(receiver);
            receiver.SetDeliveryHandler(d =>
            {
                StrictDeliveries.Enqueue(d);
                if (StrictSettles)
                {
                    receiver.Accept(d);
                }
            });
            receiver.SetCredit(StrictCredit, autoRefill: false);
            return;
        }

        if (link is SenderLink sender && sender.Address is { } source && source.StartsWith(StrictPrefix, StringComparison.Ordinal))
        {
            StrictLinks.Enqueue(sender);
            StrictSends.Enqueue(sender.SendAsync(new byte[StrictSendSize]));
            return;
        }

        broker.OnLinkAttached(link);
    }
}

/// <summary>Keeps every log entry, so a test can assert that nothing was logged as an error.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Exception)> Entries { get; } = new();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, category, formatter(state, exception), exception));
    }
}

/// <summary>
/// A Van server on 127.0.0.1, port 0: an <see cref="AmqpListener"/> and an accept loop that runs
/// <see cref="AmqpConnection.AcceptAsync"/> for every socket, recording how each connection ended.
/// </summary>
internal sealed class HostileServer : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static readonly FieldInfo? ReaderLoopField =
        typeof(AmqpConnection).GetField("_readerLoop", BindingFlags.NonPublic | BindingFlags.Instance);

    private readonly AmqpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<AmqpConnectionOptions>? _configure;
    private readonly List<ServerSide> _sides = [];
    private readonly List<TaskCompletionSource<ServerSide>> _slots = [];
    private readonly Task _acceptLoop;
    private bool _disposed;

    public HostileServer(Action<AmqpConnectionOptions>? configure = null, SslServerAuthenticationOptions? tls = null)
    {
        _configure = configure;
        Handler = new HostileHandler(Broker);
        _listener = AmqpListener.Start(new IPEndPoint(IPAddress.Loopback, 0), tls);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port => _listener.LocalEndPoint.Port;

    public TestBroker Broker { get; } = new();

    public HostileHandler Handler { get; }

    public CapturingLoggerFactory Logs { get; } = new();

    /// <summary>Waits for the <paramref name="index"/>-th accepted connection (0-based) to finish, and returns it.</summary>
    public async Task<ServerSide> FinishedConnectionAsync(int index)
    {
        var side = await Slot(index).Task.WaitAsync(Deadline);
        try
        {
            await side.Run.WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Server connection {side} did not finish within {Deadline.TotalSeconds} s (hang).");
        }

        return side;
    }

    /// <summary>
    /// The ending most hostile-peer tests expect: the <paramref name="index"/>-th connection finished with
    /// <paramref name="condition"/>, a well-behaved client is still served, and nothing escaped (<see cref="AssertCleanAsync"/>).
    /// </summary>
    public async Task AssertOnlyThatConnectionClosedAsync(AmqpSymbol condition, int index = 0)
    {
        var side = await FinishedConnectionAsync(index);
        Assert.Equal(condition, side.Error?.Condition);
        await AssertStillServingAsync();
        await AssertCleanAsync();
    }

    /// <summary>Waits for the <paramref name="index"/>-th accepted connection to have finished its handshake.</summary>
    public async Task<AmqpConnection> OpenedConnectionAsync(int index)
    {
        var side = await Slot(index).Task.WaitAsync(Deadline);
        var connection = await side.Opened.Task.WaitAsync(Deadline);
        Assert.True(connection is not null, $"The handshake failed: {side}");
        return connection;
    }

    /// <summary>A well-behaved Van client connects, sends a message through the broker and receives it.</summary>
    public async Task AssertStillServingAsync(SaslCredentials? sasl = null, SslClientAuthenticationOptions? tls = null)
    {
        var transport = await AmqpConnector.ConnectAsync("127.0.0.1", Port, tls).WaitAsync(Deadline);
        var client = await AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions
        {
            ContainerId = "well-behaved",
            Sasl = sasl ?? SaslCredentials.Anonymous,
        }).WaitAsync(Deadline);
        await using (client)
        {
            var session = await client.BeginSessionAsync().WaitAsync(Deadline);
            var address = "still-serving-" + Guid.NewGuid().ToString("N");
            var sender = await session.OpenSenderAsync("s", address).WaitAsync(Deadline);
            var receiver = await session.OpenReceiverAsync("r", address, credit: 5).WaitAsync(Deadline);
            var message = new byte[] { 0x00, 0x53, 0x77, 0xa1, 0x02, (byte)'o', (byte)'k' };
            Assert.IsType<Accepted>(await sender.SendAsync(message).WaitAsync(Deadline));
            var delivery = await receiver.ReceiveAsync().AsTask().WaitAsync(Deadline);
            Assert.Equal(message, delivery.Payload.ToArray());
            receiver.Accept(delivery);
            await client.CloseAsync().WaitAsync(Deadline);
        }
    }

    /// <summary>
    /// Stops accepting and checks that nothing escaped: the accept loop ended cleanly, every accepted connection
    /// finished (no hang), none threw anything but the documented handshake exceptions, no reader loop faulted
    /// and nothing was logged as an error.
    /// </summary>
    public async Task AssertCleanAsync()
    {
        await _stop.CancelAsync();
        await _listener.DisposeAsync();
        await _acceptLoop.WaitAsync(Deadline);
        ServerSide[] sides;
        lock (_sides)
        {
            sides = [.. _sides];
        }

        foreach (var side in sides)
        {
            try
            {
                await side.Run.WaitAsync(Deadline);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"Server connection {side} did not finish within {Deadline.TotalSeconds} s (hang).");
            }

            Assert.True(side.Unexpected is null, $"Server connection {side} let an exception escape: {side.Unexpected}");
        }

        // The transport once completed its input under the reader loop (pooled buffers reused while still being
        // parsed); the reader then failed with this on ordinary shutdowns.
        var misuse = Logs.Entries.Where(e => e.Exception?.Message.Contains("after reader was completed", StringComparison.Ordinal) == true).ToArray();
        Assert.True(misuse.Length == 0, "The input was completed under the reader loop: " + string.Join("; ", misuse.Select(e => e.Exception!.Message)));

        var errors = Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToArray();
        Assert.True(errors.Length == 0, "The server logged errors: " + string.Join("; ", errors.Select(e => $"{e.Message} {e.Exception}")));
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync();
        await _listener.DisposeAsync();
        ServerSide[] sides;
        lock (_sides)
        {
            sides = [.. _sides];
        }

        foreach (var side in sides)
        {
            if (!side.Run.IsCompleted)
            {
                // Only after a failed test: drop what is left so nothing outlives the test.
                side.Connection?.Transport.Abort();
            }
        }

        try
        {
            await Task.WhenAll(sides.Select(s => s.Run)).WaitAsync(Deadline);
            await _acceptLoop.WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private TaskCompletionSource<ServerSide> Slot(int index)
    {
        lock (_slots)
        {
            while (_slots.Count <= index)
            {
                _slots.Add(new TaskCompletionSource<ServerSide>(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            return _slots[index];
        }
    }

    private AmqpConnectionOptions CreateOptions()
    {
        var options = new AmqpConnectionOptions
        {
            ContainerId = "van-under-attack",
            LoggerFactory = Logs,
            HandshakeTimeout = Deadline,
        };
        _configure?.Invoke(options);
        return options;
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            AmqpTransport transport;
            try
            {
                transport = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (_stop.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            ServerSide side;
            lock (_sides)
            {
                side = new ServerSide(_sides.Count);
                side.Run = Task.Run(() => RunConnectionAsync(side, transport));
                _sides.Add(side);
            }

            Slot(side.Index).TrySetResult(side);
        }
    }

    private async Task RunConnectionAsync(ServerSide side, AmqpTransport transport)
    {
        AmqpConnection connection;
        try
        {
            connection = await AmqpConnection.AcceptAsync(transport, CreateOptions(), Handler);
        }
        catch (Exception e) when (e is AmqpException or TimeoutException)
        {
            side.HandshakeFailure = e;
            side.Opened.TrySetResult(null);
            return;
        }
        catch (Exception e)
        {
            side.Unexpected = e;
            side.Opened.TrySetResult(null);
            return;
        }

        side.Connection = connection;
        side.Opened.TrySetResult(connection);
        try
        {
            await connection.Completion;
            if (ReaderLoopField?.GetValue(connection) is Task readerLoop)
            {
                // The reader loop is fire-and-forget inside the engine; a fault there would go unobserved.
                await readerLoop.WaitAsync(Deadline);
            }

            await connection.DisposeAsync();
        }
        catch (Exception e)
        {
            side.Unexpected = e;
        }
    }
}
