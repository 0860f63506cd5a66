using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Transport;

namespace Van.Core.Engine.Tests;

/// <summary>
/// The other end of an in-memory transport, driven frame by frame by a test: it writes exactly the bytes the test
/// asks for and reads back whole frames, so engine behaviour can be checked against the spec, not against itself.
/// </summary>
internal sealed class PipePeer(AmqpTransport transport)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(transport.Output.GetSpan(bytes.Length));
        transport.Output.Advance(bytes.Length);
        _ = transport.Output.FlushAsync().AsTask();
    }

    public void Write(Performative? body, ushort channel = 0, ReadOnlySpan<byte> payload = default, byte type = FrameCodec.TypeAmqp)
    {
        using var buffer = new AmqpBuffer();
        FrameCodec.WriteFrame(buffer, type, channel, body, payload);
        WriteBytes(buffer.WrittenSpan);
    }

    public async Task<byte[]> ReadBytesAsync(int count)
    {
        var input = transport.Input;
        while (true)
        {
            var result = await input.ReadAsync().AsTask().WaitAsync(Deadline);
            if (result.Buffer.Length >= count)
            {
                var bytes = result.Buffer.Slice(0, count).ToArray();
                input.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw new EndOfStreamException("The engine closed the transport.");
            }
        }
    }

    /// <summary>Reads the next frame; null at end of stream. Heartbeats come back as (null body).</summary>
    public async Task<(Performative? Body, byte[] Payload)?> ReadFrameAsync()
    {
        var input = transport.Input;
        while (true)
        {
            var result = await input.ReadAsync().AsTask().WaitAsync(Deadline);
            var buffer = result.Buffer;
            if (buffer.Length >= 4)
            {
                var size = (int)BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(0, 4).ToArray());
                if (buffer.Length >= size)
                {
                    var frame = buffer.Slice(0, size).ToArray();
                    input.AdvanceTo(buffer.GetPosition(size));
                    var body = FrameCodec.ReadFrameBody(frame, out _, out _, out var payload);
                    return (body, payload.ToArray());
                }
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Reads frames until one of type <typeparamref name="T"/> arrives (skipping others, e.g. heartbeats).</summary>
    public async Task<T> ExpectAsync<T>() where T : Performative
    {
        while (true)
        {
            var frame = await ReadFrameAsync() ?? throw new EndOfStreamException($"The transport ended before a {typeof(T).Name}.");
            if (frame.Body is T t)
            {
                return t;
            }
        }
    }

    /// <summary>As a client without SASL: AMQP header, open; returns the engine's open.</summary>
    public async Task<Open> OpenAsync(uint maxFrameSize = 65536, uint? idleTimeOut = null)
    {
        WriteBytes("AMQP\0\u0001\0\0"u8);
        Assert.Equal("AMQP\0\u0001\0\0"u8.ToArray(), await ReadBytesAsync(8));
        Write(new Open { ContainerId = "raw-peer", MaxFrameSize = maxFrameSize, IdleTimeOut = idleTimeOut });
        return await ExpectAsync<Open>();
    }
}
