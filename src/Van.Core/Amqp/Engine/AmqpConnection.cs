using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Transport;

namespace Van.Core.Amqp.Engine;

/// <summary>
/// One AMQP 1.0 connection over a transport, either end. One reader loop decodes frames and dispatches them to
/// sessions and links in order, without a thread hop; writers from any thread encode frames straight into the
/// transport's output under the connection lock, and the transport's send loop writes them out in bursts.
/// </summary>
public sealed partial class AmqpConnection : IAsyncDisposable
{
    private const int FrameHeaderSize = 8;

    private readonly AmqpTransport _transport;
    private readonly AmqpConnectionOptions _options;
    private readonly AmqpConnectionHandler _handler;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly AmqpBuffer _scratch = new(1024);
    private readonly TaskCompletionSource<Open> _remoteOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<ushort, AmqpSession> _sessionsByRemoteChannel = [];
    private readonly AmqpSession?[] _sessionsByLocalChannel;
    private Task? _readerLoop;
    private ITimer? _heartbeatTimer;
    private long _lastReceivedTicks;
    private long _lastSentTicks;
    private bool _openSent;
    private bool _closeSent;
    private bool _closeReceived;
    private bool _outputDead;
    private uint _peerMaxFrameSize = 512;
    private ushort _peerChannelMax;
    private TimeSpan? _peerIdleTimeout;

    private AmqpConnection(AmqpTransport transport, AmqpConnectionOptions options, AmqpConnectionHandler? handler, bool isServer)
    {
        options.Validate();
        _transport = transport;
        _options = options;
        _handler = handler ?? AmqpConnectionHandler.Default;
        IsServer = isServer;
        _time = options.TimeProvider;
        _logger = (ILogger?)options.LoggerFactory?.CreateLogger<AmqpConnection>() ?? NullLogger.Instance;
        _sessionsByLocalChannel = new AmqpSession?[options.ChannelMax + 1];
        _lastReceivedTicks = _lastSentTicks = _time.GetTimestamp();
    }

    /// <summary>True for the accepting end.</summary>
    public bool IsServer { get; }

    /// <summary>The options this connection runs with.</summary>
    public AmqpConnectionOptions Options => _options;

    /// <summary>The peer's open, once received.</summary>
    public Open? RemoteOpen { get; private set; }

    /// <summary>The error the peer closed with, or the error we closed with.</summary>
    public Error? Error { get; private set; }

    /// <summary>
    /// The identity the peer authenticated as through SASL: the PLAIN user, the client certificate's subject for
    /// EXTERNAL, or "anonymous".
    /// </summary>
    public string? AuthenticatedUser { get; private set; }

    /// <summary>
    /// The SASL mechanism that authenticated the peer ("EXTERNAL", "PLAIN", "ANONYMOUS"; on the client, the one we
    /// used), or null when the SASL layer was skipped.
    /// </summary>
    public string? SaslMechanism { get; private set; }

    /// <summary>The peer's TLS certificate, validated by the handshake, or null (no TLS, or no certificate).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? RemoteCertificate => _transport.RemoteCertificate;

    /// <summary>Completes when the connection has closed, for whatever reason.</summary>
    public Task Completion => _closed.Task;

    /// <summary>True once a close was sent or received, or the transport failed.</summary>
    public bool IsClosed => _closed.Task.IsCompleted || _closeSent || _closeReceived || Volatile.Read(ref _shutdown) != 0;

    /// <summary>The largest frame the peer accepts.</summary>
    public uint PeerMaxFrameSize => _peerMaxFrameSize;

    /// <summary>The transport the connection runs over.</summary>
    public AmqpTransport Transport => _transport;

    internal object SyncRoot { get; } = new();

    internal AmqpConnectionHandler Handler => _handler;

    /// <summary>Links holding a handle on any session of this connection, ours and the peer's. Guarded by the lock.</summary>
    internal int LinkCount { get; set; }

    /// <summary>
    /// Opens a connection as the client: protocol headers, SASL when <see cref="AmqpConnectionOptions.Sasl"/> is
    /// set, then open; returns once the peer's open has arrived.
    /// </summary>
    public static Task<AmqpConnection> ConnectAsync(AmqpTransport transport, AmqpConnectionOptions options, CancellationToken cancellationToken = default) =>
        ConnectAsync(transport, options, handler: null, cancellationToken);

    /// <summary>
    /// Opens a connection as the client, like <see cref="ConnectAsync(AmqpTransport, AmqpConnectionOptions, CancellationToken)"/>;
    /// sessions and links the peer starts go to <paramref name="handler"/> (a router's peer attaches links too).
    /// </summary>
    public static async Task<AmqpConnection> ConnectAsync(AmqpTransport transport, AmqpConnectionOptions options, AmqpConnectionHandler? handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        var connection = new AmqpConnection(transport, options, handler, isServer: false);
        await connection.HandshakeAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Opens a connection as the server on an accepted transport: answers the protocol header, runs SASL if the
    /// client asks for it (or <see cref="SaslServerOptions.Required"/>), then exchanges open. Sessions and links
    /// the client starts go to <paramref name="handler"/>.
    /// </summary>
    public static async Task<AmqpConnection> AcceptAsync(AmqpTransport transport, AmqpConnectionOptions options, AmqpConnectionHandler? handler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        var connection = new AmqpConnection(transport, options, handler, isServer: true);
        await connection.HandshakeAsync(cancellationToken);
        return connection;
    }

    /// <summary>Begins a session.</summary>
    public Task<AmqpSession> BeginSessionAsync(CancellationToken cancellationToken = default)
    {
        AmqpSession session;
        lock (SyncRoot)
        {
            ThrowIfClosed();
            var channel = FreeChannel() ?? throw new AmqpException(ErrorCondition.ResourceLimitExceeded, $"No free channel (channel-max {Math.Min(_options.ChannelMax, _peerChannelMax)}).");
            session = new AmqpSession(this, channel, _options.SessionWindow);
            _sessionsByLocalChannel[channel] = session;
            session.SendBegin(remoteChannel: null);
        }

        return session.WaitBegunAsync(cancellationToken);
    }

    /// <summary>Closes the connection (optionally with an error) and waits for the peer's close, up to a bound.</summary>
    public async Task CloseAsync(Error? error = null, CancellationToken cancellationToken = default)
    {
        lock (SyncRoot)
        {
            if (!_closeSent && !_outputDead)
            {
                SendClose(error);
            }
        }

        try
        {
            await _closed.Task.WaitAsync(TimeSpan.FromSeconds(5), _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The peer never answered; drop the transport anyway.
        }
        catch (OperationCanceledException)
        {
            // The caller stopped waiting: still drop the transport, or a silent peer would hold it (and every
            // delivery in flight on it) open forever.
            await ShutdownAsync(error);
            throw;
        }

        await ShutdownAsync(error);
    }


    /// <summary>Closes the connection and releases the transport.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_closed.Task.IsCompleted)
        {
            await CloseAsync();
        }

        await ShutdownAsync(null);
        _scratch.Dispose();
    }

    private ushort? FreeChannel()
    {
        var max = Math.Min(_options.ChannelMax, _peerChannelMax);
        for (var i = 0; i <= max; i++)
        {
            if (_sessionsByLocalChannel[i] is null)
            {
                return (ushort)i;
            }
        }

        return null;
    }

    private void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw new AmqpException(Error ?? new Error { Condition = ErrorCondition.IllegalState, Description = "The connection is closed." });
        }
    }

    internal void ThrowIfClosedLocked() => ThrowIfClosed();

    // ---- Writing ---------------------------------------------------------------------------------------------

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        lock (SyncRoot)
        {
            var output = _transport.Output;
            bytes.CopyTo(output.GetSpan(bytes.Length));
            output.Advance(bytes.Length);
            Flush();
        }
    }

    private void WriteSaslFrame(Performative body)
    {
        lock (SyncRoot)
        {
            WriteFrame(FrameCodec.TypeSasl, 0, body, default);
        }
    }

    /// <summary>Frames up to this size are written into one contiguous span of the output; bigger ones in pieces.</summary>
    private const int MaxContiguousFrame = 8 * 1024;

    /// <summary>Encodes one frame into the output. Caller holds the connection lock.</summary>
    internal void WriteFrame(byte type, ushort channel, Performative? body, ReadOnlySpan<byte> payload)
    {
        if (_outputDead)
        {
            return;
        }

        _scratch.Reset();
        FrameCodec.WriteFrame(_scratch, type, channel, body, default);
        var head = _scratch.WrittenSpan;
        var size = head.Length + payload.Length;
        if (RemoteOpen is not null && (uint)size > _peerMaxFrameSize)
        {
            WriteOversizedFrame(type, channel, body, size);
            return;
        }

        var output = _transport.Output;
        if (size <= MaxContiguousFrame)
        {
            var span = output.GetSpan(size);
            head.CopyTo(span);
            payload.CopyTo(span[head.Length..]);
            BinaryPrimitives.WriteUInt32BigEndian(span, (uint)size);
            output.Advance(size);
        }
        else
        {
            // A big frame goes in piece by piece, in the pipe's own segments: asking for one contiguous span of its
            // size would take an array that big (over 85 KB: the large-object heap) from a pool that a few messages
            // in flight run dry.
            var span = output.GetSpan(head.Length);
            head.CopyTo(span);
            BinaryPrimitives.WriteUInt32BigEndian(span, (uint)size);
            output.Advance(head.Length);
            output.Write(payload);
        }

        FlushSoonLocked();
    }

    /// <summary>
    /// A frame would exceed the peer's max-frame-size (§2.7.1 forbids sending it). An error's description is
    /// shortened until it fits; anything else cannot be sent, so the connection closes with
    /// <c>amqp:frame-size-too-small</c>, the condition the spec defines for exactly this.
    /// </summary>
    private void WriteOversizedFrame(byte type, ushort channel, Performative? body, int size)
    {
        var error = body switch
        {
            Close c => c.Error,
            End e => e.Error,
            Detach d => d.Error,
            _ => null,
        };
        if (error is not null && !string.IsNullOrEmpty(error.Description))
        {
            var description = error.Description;
            var excess = size - (int)_peerMaxFrameSize;
            var keep = Math.Max(0, Math.Min(description.Length, System.Text.Encoding.UTF8.GetByteCount(description) - excess - 3) / 4);
            var trimmed = new Error { Condition = error.Condition, Description = description[..keep] + (keep < description.Length ? "..." : string.Empty) };
            if (trimmed.Description == error.Description)
            {
                trimmed.Description = null;
            }

            Performative shorter = body switch
            {
                Close => new Close { Error = trimmed },
                End => new End { Error = trimmed },
                Detach d => new Detach { Handle = d.Handle, Closed = d.Closed, Error = trimmed },
                _ => throw new InvalidOperationException(),
            };
            WriteFrame(type, channel, shorter, default);
            return;
        }

        CloseWithError(ErrorCondition.FrameSizeTooSmall, $"A {size}-byte frame does not fit the peer's max-frame-size {_peerMaxFrameSize}.");
    }

    /// <summary>Whether a performative alone fits in a frame the peer accepts. Caller holds the lock.</summary>
    internal bool FitsPeerMaxFrameSize(Performative body)
    {
        _scratch.Reset();
        FrameCodec.WriteFrame(_scratch, FrameCodec.TypeAmqp, 0, body, default);
        return (uint)_scratch.Length <= _peerMaxFrameSize;
    }

    /// <summary>
    /// The most a data transfer's frame header and performative can take: header 8, descriptor 3, list32 header 9,
    /// handle 5, delivery-id 5, tag 34 (vbin8 of 32), message-format 5, settled 1, more 1 = 71.
    /// </summary>
    private const int MaxTransferOverhead = 80;

    /// <summary>Whether a message of <paramref name="length"/> bytes surely fits one transfer frame. Caller holds the lock.</summary>
    internal bool FitsOneTransferFrame(int length) => length <= (int)Math.Min(_peerMaxFrameSize, 1024 * 1024) - MaxTransferOverhead;

    /// <summary>Logs an exception a delivery outcome sink threw (it is not the connection's failure).</summary>
    internal void LogSinkFailed(Exception exception) => Log.SinkFailed(_logger, exception);

    /// <summary>
    /// How much of <paramref name="remaining"/> payload bytes the next frame of <paramref name="transfer"/> can carry.
    /// Most messages fit one frame by a wide margin and need no measuring; only near the limit is the performative
    /// encoded to learn its exact size.
    /// </summary>
    internal int TransferPayloadCapacity(Transfer transfer, int remaining)
    {
        var max = (int)Math.Min(_peerMaxFrameSize, 1024 * 1024);
        if (remaining <= max - MaxTransferOverhead)
        {
            return remaining;
        }

        _scratch.Reset();
        transfer.Encode(_scratch);
        return Math.Min(remaining, max - FrameHeaderSize - _scratch.Length);
    }

    private void Flush()
    {
        _burstFlushOwed = false;
        if (_outputDead)
        {
            return;
        }

        _lastSentTicks = _time.GetTimestamp();

        try
        {
            // Output pipes never pause writers (AmqpTransport.NonBlockingPipeOptions), so the flush completes at once.
#pragma warning disable CA2012 // The ValueTask is checked for completion and consumed once.
            var flush = _transport.Output.FlushAsync();
            if (!flush.IsCompleted)
            {
                _ = flush.AsTask();
            }
            else if (flush.GetAwaiter().GetResult().IsCompleted)
            {
                _outputDead = true;
            }
#pragma warning restore CA2012
        }
        catch (InvalidOperationException)
        {
            // The output was completed by a transport failure or shutdown.
            _outputDead = true;
        }
    }

    private void SendOpen()
    {
        _openSent = true;
        var open = new Open
        {
            ContainerId = _options.ContainerId,
            Hostname = IsServer ? null : _options.Hostname,
            MaxFrameSize = _options.MaxFrameSize,
            ChannelMax = _options.ChannelMax,
            IdleTimeOut = _options.IdleTimeout is { } t ? (uint)Math.Max(1, t.TotalMilliseconds / 2) : null,
            OfferedCapabilities = _options.OfferedCapabilities,
            DesiredCapabilities = _options.DesiredCapabilities,
            Properties = _options.Properties,
        };
        WriteFrame(FrameCodec.TypeAmqp, 0, open, default);
    }

    private void SendClose(Error? error)
    {
        _closeSent = true;
        Error ??= error;
        WriteFrame(FrameCodec.TypeAmqp, 0, new Close { Error = error }, default);
        Flush();
    }

    // ---- Failure and shutdown --------------------------------------------------------------------------------

    /// <summary>Closes the connection because the peer broke the protocol: close with the error, then drop.</summary>
    internal void CloseWithError(AmqpSymbol condition, string description)
    {
        var error = new Error { Condition = condition, Description = description };
        lock (SyncRoot)
        {
            if (_closeSent || _outputDead)
            {
                return;
            }

            Log.ProtocolError(_logger, condition.Value, description);
            SendClose(error);
        }

        _ = ShutdownAsync(error);
    }

    /// <summary>
    /// Ends the connection at once: sends close (with <paramref name="error"/>) if it can, then drops the transport
    /// without waiting for the peer, failing whatever is in flight. For a peer known to be dead or silent.
    /// </summary>
    public async Task AbortAsync(Error? error = null)
    {
        lock (SyncRoot)
        {
            if (error is not null && _openSent && !_closeSent && !_outputDead)
            {
                SendClose(error);
            }
        }

        await ShutdownAsync(error);
    }

    private int _shutdown;

    private async Task ShutdownAsync(Error? error)
    {
        if (Interlocked.Exchange(ref _shutdown, 1) != 0)
        {
            await _closed.Task;
            return;
        }

        _heartbeatTimer?.Dispose();
        List<AmqpSession> sessions;
        lock (SyncRoot)
        {
            Error ??= error;
            _outputDead = true;
            sessions = [.. _sessionsByLocalChannel.OfType<AmqpSession>()];
        }

        var reason = Error ?? new Error { Condition = ErrorCondition.ConnectionForced, Description = "The connection closed." };
        foreach (var session in sessions)
        {
            session.OnConnectionClosed(reason);
        }

        _remoteOpened.TrySetException(new AmqpException(reason));
        try
        {
            await _transport.DisposeAsync();
            if (_readerLoop is null)
            {
                // The handshake failed (on its own thread, with no read in flight): nobody else will complete the
                // input. Once the reader loop runs, it alone reads and completes the input (see StreamTransport).
                await _transport.Input.CompleteAsync();
            }
        }
        catch (Exception e)
        {
            Log.TransportDisposeFailed(_logger, e);
        }

        _closed.TrySetResult();
    }

    internal void RemoveSession(AmqpSession session)
    {
        if (_sessionsByLocalChannel[session.LocalChannel] == session)
        {
            _sessionsByLocalChannel[session.LocalChannel] = null;
        }

        if (session.RemoteChannel is { } rc && _sessionsByRemoteChannel.TryGetValue(rc, out var s) && s == session)
        {
            _sessionsByRemoteChannel.Remove(rc);
        }
    }

    internal void MapRemoteChannel(AmqpSession session, ushort remoteChannel) => _sessionsByRemoteChannel[remoteChannel] = session;
}
