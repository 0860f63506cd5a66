using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests.HostilePeer;

/// <summary>One frame as read off the wire by <see cref="RawPeer"/>.</summary>
internal sealed record RawFrame(uint Size, byte DataOffset, byte Type, ushort Channel, Performative? Body, byte[] Payload)
{
    public override string ToString() => $"[ch={Channel} type={Type}] {Body?.ToString() ?? "(empty)"}";
}

/// <summary>
/// A hostile AMQP peer: a raw TCP socket that writes whatever bytes a test hands it and parses what the server
/// answers. Every read has a deadline; nothing sleeps.
/// </summary>
internal sealed class RawPeer : IDisposable
{
    /// <summary>How long any single expectation may take before the test fails.</summary>
    public static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawPeer(Socket socket) => _socket = socket;

    /// <summary>True once the server's side of the stream ended (FIN or reset).</summary>
    public bool EndOfStream { get; private set; }

    /// <summary>True when the stream ended with a reset rather than a FIN.</summary>
    public bool WasReset { get; private set; }

    /// <summary>Everything read, for failure messages.</summary>
    public List<string> Transcript { get; } = [];

    public static async Task<RawPeer> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(ReadDeadline);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
            return new RawPeer(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Writes bytes. A server that already dropped us may reset the write; that is reported as false.</summary>
    public async Task<bool> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var cts = new CancellationTokenSource(ReadDeadline);
        try
        {
            while (!bytes.IsEmpty)
            {
                var n = await _socket.SendAsync(bytes, SocketFlags.None, cts.Token);
                bytes = bytes[n..];
            }

            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            return false;
        }
    }

    /// <summary>Half-closes our side (sends FIN) so the server sees end of input.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads exactly <paramref name="count"/> bytes or fails (end of stream or deadline).</summary>
    public async Task<byte[]> ReadExactlyAsync(int count, string what)
    {
        var deadline = DateTime.UtcNow + ReadDeadline;
        while (_end - _start < count)
        {
            if (!await FillAsync(deadline, what))
            {
                throw new EndOfStreamException(
                    $"The server closed the stream while we waited for {what} ({_end - _start} of {count} bytes). Seen: {string.Join(" | ", Transcript)}");
            }
        }

        var result = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        return result;
    }

    /// <summary>Reads an 8-byte protocol header.</summary>
    public async Task<byte[]> ReadHeaderAsync()
    {
        var header = await ReadExactlyAsync(8, "a protocol header");
        Transcript.Add("header " + Convert.ToHexString(header));
        return header;
    }

    /// <summary>Reads and decodes one frame.</summary>
    public async Task<RawFrame> ReadFrameAsync()
    {
        var sizeBytes = await ReadExactlyAsync(4, "a frame size");
        var size = BinaryPrimitives.ReadUInt32BigEndian(sizeBytes);
        if (size < FrameCodec.HeaderSize || size > 16 * 1024 * 1024)
        {
            throw new InvalidDataException($"The server sent a frame size of {size}.");
        }

        var rest = await ReadExactlyAsync((int)size - 4, $"a frame of {size} bytes");
        var frame = new byte[size];
        sizeBytes.CopyTo(frame, 0);
        rest.CopyTo(frame, 4);
        var body = FrameCodec.ReadFrameBody(frame, out var type, out var channel, out var payload);
        var raw = new RawFrame(size, frame[4], type, channel, body, payload.ToArray());
        Transcript.Add(raw.ToString());
        return raw;
    }

    /// <summary>Reads frames until one matches, collecting the ones skipped into <paramref name="skipped"/>.</summary>
    public async Task<RawFrame> ReadFrameUntilAsync(Func<RawFrame, bool> match, string what, List<RawFrame>? skipped = null)
    {
        while (true)
        {
            RawFrame frame;
            try
            {
                frame = await ReadFrameAsync();
            }
            catch (EndOfStreamException e)
            {
                throw new EndOfStreamException($"No {what} arrived: {e.Message}", e);
            }

            if (match(frame))
            {
                return frame;
            }

            skipped?.Add(frame);
        }
    }

    /// <summary>Reads frames until a close arrives and returns it.</summary>
    public async Task<Close> ReadCloseAsync(List<RawFrame>? skipped = null)
    {
        var frame = await ReadFrameUntilAsync(f => f.Body is Close, "close frame", skipped);
        return (Close)frame.Body!;
    }

    /// <summary>
    /// Waits until the server ends the stream (FIN or reset) and returns whatever bytes came before the end.
    /// Fails when the stream is still open at the deadline.
    /// </summary>
    public async Task<byte[]> ReadToEndAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? ReadDeadline);
        while (await FillAsync(deadline, "the server to close the socket"))
        {
        }

        var rest = _buffer.AsSpan(_start, _end - _start).ToArray();
        _start = _end;
        return rest;
    }

    /// <summary>
    /// The AMQP header plus an open, then the server's header and open. Returns the server's open.
    /// </summary>
    public async Task<Open> HandshakeAsync(Open? open = null)
    {
        Assert.True(await SendAsync(Frames.Concat(Frames.AmqpHeader, Frames.Amqp(open ?? Frames.Open()))));
        Assert.Equal(Frames.AmqpHeader, await ReadHeaderAsync());
        var frame = await ReadFrameAsync();
        return Assert.IsType<Open>(frame.Body);
    }

    /// <summary>Begins a session on <paramref name="channel"/> and returns the server's begin.</summary>
    public async Task<Begin> BeginAsync(ushort channel = 0, uint incomingWindow = 2048)
    {
        Assert.True(await SendAsync(Frames.Amqp(Frames.Begin(incomingWindow), channel)));
        var frame = await ReadFrameUntilAsync(f => f.Body is Begin b && b.RemoteChannel == channel, "begin reply");
        return (Begin)frame.Body!;
    }

    private async Task<bool> FillAsync(DateTime deadline, string what)
    {
        if (EndOfStream)
        {
            return false;
        }

        if (_start > 0 && _start == _end)
        {
            _start = _end = 0;
        }

        if (_end == _buffer.Length)
        {
            var bigger = new byte[_buffer.Length * 2];
            _buffer.AsSpan(_start, _end - _start).CopyTo(bigger);
            _end -= _start;
            _start = 0;
            _buffer = bigger;
        }

        var remaining = deadline - DateTime.UtcNow;
        if (remaining <= TimeSpan.Zero)
        {
            throw new TimeoutException($"Timed out waiting for {what}. Seen: {string.Join(" | ", Transcript)}");
        }

        using var cts = new CancellationTokenSource(remaining);
        int n;
        try
        {
            n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Timed out after {ReadDeadline.TotalSeconds} s waiting for {what}. Seen: {string.Join(" | ", Transcript)}");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            EndOfStream = true;
            WasReset = true;
            Transcript.Add("reset");
            return false;
        }

        if (n == 0)
        {
            EndOfStream = true;
            Transcript.Add("eof");
            return false;
        }

        _end += n;
        return true;
    }

    /// <summary>Drops the connection with a TCP reset (linger 0), as a crashed peer or a middlebox would.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    /// <summary>Asserts that nothing at all arrives for <paramref name="quiet"/> (the stream stays open and silent).</summary>
    public async Task AssertSilentForAsync(TimeSpan quiet)
    {
        if (_end > _start)
        {
            Assert.Fail($"Unexpected bytes: {Convert.ToHexString(_buffer.AsSpan(_start, _end - _start))}");
        }

        using var cts = new CancellationTokenSource(quiet);
        var probe = new byte[1];
        try
        {
            var n = await _socket.ReceiveAsync(probe, SocketFlags.None, cts.Token);
            Assert.Fail(n == 0 ? "The server closed the socket." : $"Unexpected byte 0x{probe[0]:x2} from the server.");
        }
        catch (OperationCanceledException)
        {
            // Silence for the whole period: what we wanted.
        }
    }

    public void Dispose() => _socket.Dispose();
}
