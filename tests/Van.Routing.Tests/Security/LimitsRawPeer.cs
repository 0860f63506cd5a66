using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Routing.Tests.Security;

/// <summary>
/// A bare AMQP peer on a socket that writes exactly the frames a test gives it, breaking limits a real client would
/// respect (frames over max-frame-size, sessions over channel-max, messages over max-message-size), and reads what the
/// node answers. Every read has a deadline.
/// </summary>
internal sealed class LimitsRawPeer : IAsyncDisposable
{
    public static readonly byte[] AmqpHeader = [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 1, 0, 0];

    private static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(30);
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private LimitsRawPeer(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<LimitsRawPeer> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).WaitAsync(ReadDeadline);
        return new LimitsRawPeer(socket);
    }

    public Task SendBytesAsync(ReadOnlyMemory<byte> bytes) => _stream.WriteAsync(bytes).AsTask();

    public async Task SendAsync(Performative body, ushort channel = 0, ReadOnlyMemory<byte> payload = default)
    {
        using var buffer = new AmqpBuffer(256 + payload.Length);
        FrameCodec.WriteFrame(buffer, FrameCodec.TypeAmqp, channel, body, payload.Span);
        await _stream.WriteAsync(buffer.WrittenMemory);
    }

    /// <summary>Header and open exchange without SASL; returns the node's open.</summary>
    public async Task<Open> OpenAsync()
    {
        await SendBytesAsync(AmqpHeader);
        await SendAsync(new Open { ContainerId = "raw-peer", MaxFrameSize = 1024 * 1024, ChannelMax = 100 });
        var header = await ReadExactlyAsync(8);
        Assert.Equal(AmqpHeader, header);
        return await ReadUntilAsync<Open>();
    }

    /// <summary>The next frame's performative (null for a heartbeat), or throws at end of stream.</summary>
    public async Task<(Performative? Body, ushort Channel)> ReadFrameAsync()
    {
        var sizeBytes = await ReadExactlyAsync(4);
        var size = BinaryPrimitives.ReadUInt32BigEndian(sizeBytes);
        var rest = await ReadExactlyAsync((int)size - 4);
        var frame = new byte[size];
        sizeBytes.CopyTo(frame, 0);
        rest.CopyTo(frame, 4);
        var body = FrameCodec.ReadFrameBody(frame, out _, out var channel, out _);
        return (body, channel);
    }

    /// <summary>Reads frames until one of type <typeparamref name="T"/>.</summary>
    public async Task<T> ReadUntilAsync<T>() where T : Performative
    {
        while (true)
        {
            var (body, _) = await ReadFrameAsync();
            if (body is T t)
            {
                return t;
            }

            if (body is Close close && typeof(T) != typeof(Close))
            {
                throw new InvalidOperationException($"The node closed the connection while {typeof(T).Name} was awaited: {close.Error?.Condition} {close.Error?.Description}");
            }
        }
    }

    /// <summary>Reads until the node closes the socket; returns the close performative it sent first, if any.</summary>
    public async Task<Close?> ReadToEndAsync()
    {
        Close? close = null;
        try
        {
            while (true)
            {
                var (body, _) = await ReadFrameAsync();
                close ??= body as Close;
            }
        }
        catch (EndOfStreamException)
        {
            return close;
        }
        catch (IOException)
        {
            return close;
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        var bytes = new byte[count];
        using var deadline = new CancellationTokenSource(ReadDeadline);
        await _stream.ReadExactlyAsync(bytes, deadline.Token);
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
