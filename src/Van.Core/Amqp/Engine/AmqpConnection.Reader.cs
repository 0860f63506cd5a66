using System.Buffers;
using System.Buffers.Binary;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

public sealed partial class AmqpConnection
{
    private byte[]? _frameCopy;
    private long _framesReceived;

    // Transfers, dispositions and flows (the performatives that come with messages) are decoded into these instances:
    // the reader loop handles one frame at a time, and no session or link keeps a performative past its frame.
    private readonly Transfer _incomingTransfer = new();
    private readonly Disposition _incomingDisposition = new();
    private readonly Flow _incomingFlow = new();

    /// <summary>Frames read so far, heartbeats included (tests wait on it; telemetry will report it).</summary>
    internal long FramesReceived => Interlocked.Read(ref _framesReceived);

    private async Task ReaderLoopAsync()
    {
        var input = _transport.Input;
        Error? failure = null;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    Interlocked.Exchange(ref _lastReceivedTicks, _time.GetTimestamp());
                }

                var consumed = ProcessBuffer(ref buffer, out failure);
                input.AdvanceTo(consumed, buffer.End);
                if (failure is not null || _shutdown != 0)
                {
                    break;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    if (!_closeReceived)
                    {
                        failure = new Error { Condition = ErrorCondition.ConnectionForced, Description = "The peer dropped the connection without closing it." };
                        Log.TransportClosed(_logger);
                    }

                    break;
                }
            }
        }
        catch (Exception e)
        {
            // The transport failed (reset, aborted): nothing more can be sent or received.
            failure = new Error { Condition = ErrorCondition.ConnectionForced, Description = "The transport failed: " + e.Message };
            Log.TransportFailed(_logger, e);
        }

        try
        {
            await input.CompleteAsync();
        }
        catch (InvalidOperationException)
        {
        }

        await ShutdownAsync(failure);
    }

    /// <summary>Decodes and dispatches every whole frame in the buffer. Returns how far it consumed.</summary>
    private SequencePosition ProcessBuffer(ref ReadOnlySequence<byte> buffer, out Error? failure)
    {
        failure = null;
        BeginBurst();
        try
        {
            while (TryReadFrameSize(buffer, out var size))
            {
                if (size < FrameHeaderSize)
                {
                    failure = Fail(ErrorCondition.FramingError, $"Frame size {size} is smaller than a frame header.");
                    return buffer.End;
                }

                if (size > _options.MaxFrameSize)
                {
                    // Judged on the length prefix alone, before any of the frame is buffered.
                    failure = Fail(ErrorCondition.ResourceLimitExceeded, $"Frame of {size} bytes exceeds max-frame-size {_options.MaxFrameSize}.");
                    return buffer.End;
                }

                if (buffer.Length < size)
                {
                    break;
                }

                var frameSequence = buffer.Slice(0, size);
                ReadOnlySpan<byte> frame;
                if (frameSequence.IsSingleSegment)
                {
                    frame = frameSequence.FirstSpan;
                }
                else
                {
                    if (_frameCopy is null || _frameCopy.Length < size)
                    {
                        if (_frameCopy is not null)
                        {
                            ArrayPool<byte>.Shared.Return(_frameCopy);
                        }

                        _frameCopy = ArrayPool<byte>.Shared.Rent((int)size);
                    }

                    frameSequence.CopyTo(_frameCopy);
                    frame = _frameCopy.AsSpan(0, (int)size);
                }

                failure = ProcessFrame(frame);
                buffer = buffer.Slice(size);
                if (failure is not null)
                {
                    return buffer.Start;
                }
            }

            return buffer.Start;
        }
        finally
        {
            EndBurst();
        }
    }

    private Error? Fail(AmqpSymbol condition, string description)
    {
        CloseWithError(condition, description);
        return Error ?? new Error { Condition = condition, Description = description };
    }

    private Error? ProcessFrame(ReadOnlySpan<byte> frame)
    {
        Interlocked.Increment(ref _framesReceived);
        if (_closeReceived)
        {
            return Fail(ErrorCondition.FramingError, "A frame arrived after close.");
        }

        Performative? body;
        byte type;
        ushort channel;
        ReadOnlySpan<byte> payload;
        try
        {
            body = FrameCodec.ReadFrameBody(frame, out type, out channel, out payload, _incomingTransfer, _incomingDisposition, _incomingFlow);
        }
        catch (AmqpDecodeException e)
        {
            return Fail(ErrorCondition.FramingError, "Malformed frame: " + e.Message);
        }

        if (type != FrameCodec.TypeAmqp)
        {
            return Fail(ErrorCondition.FramingError, $"Unexpected frame type {type} after the AMQP header.");
        }

        if (body is null)
        {
            return null; // A heartbeat.
        }

        if (RemoteOpen is null && body is not Open)
        {
            return Fail(ErrorCondition.IllegalState, $"Expected open, received {Describe(body)}.");
        }

        try
        {
            switch (body)
            {
                case Open open:
                    return OnOpen(open);
                case Close close:
                    OnClose(close);
                    return null;
                case Begin begin:
                    return OnBegin(channel, begin);
                default:
                    AmqpSession? session;
                    lock (SyncRoot)
                    {
                        _sessionsByRemoteChannel.TryGetValue(channel, out session);
                    }

                    if (session is null)
                    {
                        return Fail(ErrorCondition.NotAllowed, $"{Describe(body)} on channel {channel}, which has no session.");
                    }

                    return session.OnFrame(body, payload);
            }
        }
        catch (AmqpDecodeException e)
        {
            return Fail(ErrorCondition.DecodeError, e.Message);
        }
        catch (AmqpException e)
        {
            return Fail(e.Condition, e.Error.Description ?? e.Message);
        }
        catch (Exception e)
        {
            Log.InternalError(_logger, e);
            return Fail(ErrorCondition.InternalError, "Internal error while handling " + Describe(body) + ".");
        }
    }

    private static string Describe(Performative p) => p.GetType().Name.ToLowerInvariant();

    private Error? OnOpen(Open open)
    {
        if (RemoteOpen is not null)
        {
            return Fail(ErrorCondition.IllegalState, "A second open arrived.");
        }

        lock (SyncRoot)
        {
            RemoteOpen = open;
            // §2.7.1: no peer may ask for frames under 512 bytes; Proton treats smaller values as 512.
            _peerMaxFrameSize = Math.Max(512u, open.MaxFrameSize);
            _peerChannelMax = open.ChannelMax;
            _peerIdleTimeout = open.IdleTimeOut is { } ms and > 0 ? TimeSpan.FromMilliseconds(ms) : null;
        }

        _remoteOpened.TrySetResult(open);
        return null;
    }

    private void OnClose(Close close)
    {
        List<AmqpSession> sessions;
        lock (SyncRoot)
        {
            _closeReceived = true;
            Error ??= close.Error;
            if (!_closeSent)
            {
                SendClose(null);
            }

            sessions = [.. _sessionsByLocalChannel.OfType<AmqpSession>()];
        }

        if (close.Error is { } e)
        {
            Log.RemoteClosedWithError(_logger, e.Condition.Value, e.Description);
        }

        _ = ShutdownAsync(close.Error);
    }

    private Error? OnBegin(ushort channel, Begin begin)
    {
        AmqpSession? session = null;
        var isNew = false;
        lock (SyncRoot)
        {
            if (channel > _options.ChannelMax)
            {
                return Fail(ErrorCondition.ResourceLimitExceeded, $"Begin on channel {channel} exceeds channel-max {_options.ChannelMax}.");
            }

            if (_sessionsByRemoteChannel.ContainsKey(channel))
            {
                return Fail(ErrorCondition.FramingError, $"Channel {channel} already has a session.");
            }

            if (begin.RemoteChannel is { } local)
            {
                // The answer to a begin we sent.
                session = local < _sessionsByLocalChannel.Length ? _sessionsByLocalChannel[local] : null;
                if (session is null || session.RemoteChannel is not null)
                {
                    return Fail(ErrorCondition.InvalidField, $"Begin answers channel {local}, where no session is waiting.");
                }
            }
            else
            {
                var free = FreeChannel();
                if (free is null)
                {
                    return Fail(ErrorCondition.ResourceLimitExceeded, $"Begin on channel {channel}: no free channel for a new session (channel-max {_options.ChannelMax}).");
                }

                session = new AmqpSession(this, free.Value, _options.SessionWindow);
                _sessionsByLocalChannel[free.Value] = session;
                isNew = true;
            }

            MapRemoteChannel(session, channel);
            session.OnBegin(channel, begin);
            if (isNew)
            {
                session.SendBegin(remoteChannel: channel);
            }
        }

        if (isNew)
        {
            _handler.OnSessionBegun(session);
        }

        return null;
    }

    // ---- Heartbeats ------------------------------------------------------------------------------------------

    private void StartHeartbeats(Open open)
    {
        var period = TimeSpan.MaxValue;
        if (_peerIdleTimeout is { } peer)
        {
            period = peer / 4;
        }

        if (_options.IdleTimeout is { } own)
        {
            period = own / 4 < period ? own / 4 : period;
        }

        if (period == TimeSpan.MaxValue)
        {
            return;
        }

        if (period < TimeSpan.FromMilliseconds(10))
        {
            period = TimeSpan.FromMilliseconds(10);
        }

        _heartbeatTimer = _time.CreateTimer(_ => OnHeartbeatTick(), null, period, period);
    }

    private void OnHeartbeatTick()
    {
        var now = _time.GetTimestamp();
        if (_options.IdleTimeout is { } own && _time.GetElapsedTime(Interlocked.Read(ref _lastReceivedTicks), now) >= own)
        {
            CloseWithError(ErrorCondition.ResourceLimitExceeded, "local-idle-timeout expired");
            return;
        }

        if (_peerIdleTimeout is { } peer)
        {
            lock (SyncRoot)
            {
                if (!_closeSent && !_outputDead && _time.GetElapsedTime(_lastSentTicks, now) >= peer / 2)
                {
                    WriteFrame(FrameCodec.TypeAmqp, 0, null, default);
                }
            }
        }
    }
}
