using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;

namespace Van.Core.Benchmarks;

/// <summary>Transfer frames: encoding, the connection's fixed decode path, the generic decoder, and forwarding.</summary>
[MemoryDiagnoser]
public class TransferBenchmarks : IDisposable
{
    private readonly AmqpBuffer _buffer = new(1024);
    private readonly Transfer _outgoing = Samples.CreateTransfer(3, 1042);
    private readonly Transfer _incoming = new();
    private readonly Transfer _forwarded = new();
    private byte[] _message = null!;
    private byte[] _frame = null!;
    private uint _nextDeliveryId;

    /// <summary>The request's body: 64 bytes (a typical call) or 1 KiB.</summary>
    [Params(64, 1024)]
    public int BodySize { get; set; } = 64;

    /// <summary>Builds the message bytes and a transfer frame carrying them.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _message = Samples.EncodeRequest(BodySize);
        _frame = Samples.EncodeTransferFrame(_message);

        // The fixed path must see the same transfer and payload as the generic decoder.
        var payload = DecodeTransfer(_frame, _incoming, out _);
        if (!payload.SequenceEqual(_message) || _incoming.Handle != 3 || _incoming.DeliveryId != 1042
            || _incoming.DeliveryTag != DeliveryTag.FromUInt64(1042) || _incoming.MessageFormat != 0)
        {
            throw new InvalidOperationException("The transfer frame did not decode to what was encoded.");
        }

        // Forwarded delivery-ids continue from the incoming one, so they keep its width (uint, 5 bytes).
        _nextDeliveryId = 1042;
        if (ForwardTransfer() != _frame.Length + "orders".Length)
        {
            throw new InvalidOperationException("The forwarded frame is not the size of the incoming one.");
        }
    }

    /// <summary>A transfer with its message as payload, into a reused buffer.</summary>
    [Benchmark]
    [ZeroAllocation]
    public int EncodeTransferFrame()
    {
        _buffer.Reset();
        FrameCodec.WriteFrame(_buffer, FrameCodec.TypeAmqp, Samples.Channel, _outgoing, _message);
        return _buffer.Length;
    }

    /// <summary>
    /// The connection's fixed path: frame header, descriptor, then the fields into a reused <see cref="Transfer"/>.
    /// </summary>
    [Benchmark]
    [ZeroAllocation]
    public int DecodeTransferFrame()
    {
        var payload = DecodeTransfer(_frame, _incoming, out var channel);
        return (int)_incoming.Handle + (int)_incoming.DeliveryId.GetValueOrDefault() + _incoming.DeliveryTag.GetValueOrDefault().Length
            + channel + payload.Length;
    }

    /// <summary>The generic decoder, which allocates a new performative per frame.</summary>
    [Benchmark]
    public int DecodeTransferFrameGeneric()
    {
        var body = FrameCodec.ReadFrameBody(_frame, out _, out var channel, out var payload);
        var transfer = (Transfer)body!;
        return (int)transfer.Handle + (int)transfer.DeliveryId.GetValueOrDefault() + channel + payload.Length;
    }

    /// <summary>
    /// A transit node's hot path: decode the incoming transfer, read the message's <c>to</c>, and write a new
    /// transfer frame (another link, delivery-id and tag) with the same payload into a reused buffer.
    /// </summary>
    [Benchmark]
    [ZeroAllocation]
    public int ForwardTransfer()
    {
        var payload = DecodeTransfer(_frame, _incoming, out _);
        var message = new MessageReader(payload);
        if (!message.TryGetTo(out var to))
        {
            return -1;
        }

        var deliveryId = _nextDeliveryId++;
        _forwarded.Handle = 7;
        _forwarded.DeliveryId = deliveryId;
        _forwarded.DeliveryTag = DeliveryTag.FromUInt64(deliveryId);
        _forwarded.MessageFormat = _incoming.MessageFormat;
        _forwarded.Settled = _incoming.Settled;
        _buffer.Reset();
        FrameCodec.WriteFrame(_buffer, FrameCodec.TypeAmqp, 2, _forwarded, payload);
        return _buffer.Length + to.Length;
    }

    /// <summary>Returns the pooled buffer.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _buffer.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Decodes a transfer frame the way a connection's read loop does, without allocating: checks the frame
    /// header, reads the descriptor and decodes the fields into <paramref name="transfer"/>. Returns the payload.
    /// </summary>
    internal static ReadOnlySpan<byte> DecodeTransfer(ReadOnlySpan<byte> frame, Transfer transfer, out ushort channel)
    {
        if (frame.Length < FrameCodec.HeaderSize || BinaryPrimitives.ReadUInt32BigEndian(frame) != (uint)frame.Length)
        {
            throw new AmqpDecodeException("Bad frame size.");
        }

        var dataOffset = frame[4] * 4;
        if (dataOffset < FrameCodec.HeaderSize || dataOffset > frame.Length || frame[5] != FrameCodec.TypeAmqp)
        {
            throw new AmqpDecodeException("Bad frame header.");
        }

        channel = BinaryPrimitives.ReadUInt16BigEndian(frame[6..]);
        var body = frame[dataOffset..];
        var reader = new AmqpReader(body);
        if (reader.ReadDescriptorCode() != Descriptors.Transfer)
        {
            throw new AmqpDecodeException("Not a transfer.");
        }

        transfer.DecodeFields(ref reader);
        return body[reader.Position..];
    }
}
