using System.Buffers.Binary;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;

namespace Van.Fuzz;

/// <summary>The in-process targets. Each call decodes one input and reports how it ended.</summary>
internal enum FuzzTarget
{
    /// <summary><see cref="FrameCodec.ReadFrameBody(ReadOnlySpan{byte}, out byte, out ushort, out ReadOnlySpan{byte})"/>, then the performative's ToString.</summary>
    Frame,

    /// <summary><see cref="MessageReader"/>: every section and every getter, and <see cref="MessageRewriter"/>.</summary>
    MessageReader,

    /// <summary><see cref="AmqpMessage.Decode"/>.</summary>
    MessageDecode,

    /// <summary><see cref="AmqpReader"/>: ReadObject to the end, raw-value skipping, the typed composite reads.</summary>
    Reader,

    /// <summary>Whatever decoded is encoded again with Van's encoders and decoded once more: both must work.</summary>
    RoundTrip,
}

/// <summary>Runs one input through every target. Pass = returns, or throws <see cref="AmqpDecodeException"/>.</summary>
internal sealed class DecodeTargets : IDisposable
{
    public const int Count = 5;

    // Reused like a connection reuses them: decoding into them must not depend on what was decoded before.
    private readonly Transfer _transfer = new();
    private readonly Disposition _disposition = new();
    private readonly Flow _flow = new();
    private readonly AmqpBuffer _buffer = new(1024);

    public void Dispose() => _buffer.Dispose();

    /// <summary>Runs <paramref name="target"/>; true when it decoded, false on a decode error. Anything else propagates.</summary>
    public bool Run(FuzzTarget target, ReadOnlySpan<byte> input, InputKind kind, bool reuse)
    {
        try
        {
            RunThrowing(target, input, kind, reuse);
            return true;
        }
        catch (AmqpDecodeException)
        {
            return false;
        }
    }

    /// <summary>As <see cref="Run"/>, but a decode error propagates too (replay shows its reason).</summary>
    public void RunThrowing(FuzzTarget target, ReadOnlySpan<byte> input, InputKind kind, bool reuse)
    {
        switch (target)
        {
            case FuzzTarget.Frame: Frame(input, kind, reuse); break;
            case FuzzTarget.MessageReader: ReadMessage(input); break;
            case FuzzTarget.MessageDecode: _ = AmqpMessage.Decode(input).BodyBytes; break;
            case FuzzTarget.Reader: ReadValues(input); break;
            default: RoundTrip(input, kind); break;
        }
    }

    private void Frame(ReadOnlySpan<byte> input, InputKind kind, bool reuse)
    {
        var frame = input;
        if (kind != InputKind.Frame)
        {
            // A value or message gets a frame header, so performative decoding sees it as a frame body.
            var wrapped = new byte[input.Length + 8];
            BinaryPrimitives.WriteUInt32BigEndian(wrapped, (uint)wrapped.Length);
            wrapped[4] = 2;
            input.CopyTo(wrapped.AsSpan(8));
            frame = wrapped;
        }

        var body = reuse
            ? FrameCodec.ReadFrameBody(frame, out _, out _, out var payload, _transfer, _disposition, _flow)
            : FrameCodec.ReadFrameBody(frame, out _, out _, out payload);
        _ = body?.ToString();
        if (body is Transfer && !payload.IsEmpty)
        {
            // What a router does with a transfer's payload.
            try
            {
                ReadMessage(payload);
            }
            catch (AmqpDecodeException)
            {
            }
        }
    }

    private void ReadMessage(ReadOnlySpan<byte> input)
    {
        var reader = MessageReader.Create(input);
        var total = reader.HeaderSection.Length + reader.DeliveryAnnotationsSection.Length + reader.MessageAnnotationsSection.Length
            + reader.PropertiesSection.Length + reader.ApplicationPropertiesSection.Length + reader.BodySection.Length
            + reader.FooterSection.Length + reader.BodyOffset;
        _ = total;

        // Each getter on its own: one malformed field must not hide the others.
        Try(in reader, static (in MessageReader r) => r.TryGetTo(out _));
        Try(in reader, static (in MessageReader r) => r.TryGetReplyTo(out _));
        Try(in reader, static (in MessageReader r) => r.TryGetSubject(out _));
        Try(in reader, static (in MessageReader r) => r.TryGetMessageIdRaw(out _));
        Try(in reader, static (in MessageReader r) => r.TryGetCorrelationIdRaw(out _));
        Try(in reader, static (in MessageReader r) => r.TryGetApplicationProperty("key", out _));
        Try(in reader, static (in MessageReader r) => r.TryGetApplicationProperty("é-missing", out _));
        Try(in reader, static (in MessageReader r) => r.TryGetMessageAnnotation("x-opt-to", out _));
        Try(in reader, static (in MessageReader r) => r.TryGetMessageAnnotation("x-opt-van-trace", out _));

        // What a router does before forwarding: replace the message annotations.
        _buffer.Reset();
        MessageRewriter.ReplaceMessageAnnotations(_buffer, input, new Dictionary<AmqpSymbol, object?> { [new AmqpSymbol("x-opt-van-trace")] = "A" });
        _buffer.Reset();
        MessageRewriter.ReplaceMessageAnnotations(_buffer, input, ReadOnlySpan<byte>.Empty);
    }

    private delegate bool Getter(in MessageReader reader);

    private static void Try(in MessageReader reader, Getter getter)
    {
        try
        {
            _ = getter(in reader);
        }
        catch (AmqpDecodeException)
        {
        }
    }

    private static void ReadValues(ReadOnlySpan<byte> input)
    {
        // Generic: every value to the end.
        var reader = new AmqpReader(input);
        for (var i = 0; i < 64 && !reader.IsEnd; i++)
        {
            _ = reader.ReadObject();
        }

        // Skipping without decoding, as routers do.
        reader = new AmqpReader(input);
        for (var i = 0; i < 64 && !reader.IsEnd; i++)
        {
            _ = reader.ReadRawValue();
        }

        // The typed reads the framing and messaging layers use, on the first value.
        foreach (var typed in TypedReads)
        {
            try
            {
                var r = new AmqpReader(input);
                typed(ref r);
            }
            catch (AmqpDecodeException)
            {
            }
        }
    }

    private delegate void TypedRead(ref AmqpReader reader);

    private static readonly TypedRead[] TypedReads =
    [
        static (ref AmqpReader r) => _ = r.ReadSymbolMap(),
        static (ref AmqpReader r) => _ = r.ReadMap(),
        static (ref AmqpReader r) => _ = r.ReadSymbolMultiple(),
        static (ref AmqpReader r) =>
        {
            var count = r.ReadListHeader(out var end);
            for (var i = 0; i < count; i++)
            {
                r.SkipValue();
            }

            r.SkipTo(end);
        },
        static (ref AmqpReader r) =>
        {
            var count = r.ReadArrayHeader(out var code, out _, out var end);
            _ = (count, code);
            r.SkipTo(end);
        },
        static (ref AmqpReader r) => _ = r.ReadDescriptorCode(),
        static (ref AmqpReader r) => _ = DeliveryState.Decode(ref r),
        static (ref AmqpReader r) => _ = Error.Decode(ref r),
        static (ref AmqpReader r) => _ = Source.Decode(ref r).ToString(),
        static (ref AmqpReader r) => _ = Van.Core.Amqp.Framing.Target.Decode(ref r).ToString(),
        static (ref AmqpReader r) => _ = Performative.Decode(ref r).ToString(),
        static (ref AmqpReader r) => _ = Header.Decode(r.Buffer),
        static (ref AmqpReader r) => _ = Properties.Decode(r.Buffer),
        static (ref AmqpReader r) => _ = r.ReadString(),
        static (ref AmqpReader r) => _ = r.ReadSymbol(),
        static (ref AmqpReader r) => _ = r.ReadChar(),
        static (ref AmqpReader r) => _ = r.ReadTimestamp(),
    ];

    /// <summary>
    /// Whatever decodes must encode again with Van's own encoders and decode once more: a router that decodes
    /// a peer's value (annotations, a performative for a log line) and writes it back must not fail on it.
    /// </summary>
    private void RoundTrip(ReadOnlySpan<byte> input, InputKind kind)
    {
        switch (kind)
        {
            case InputKind.Frame:
                {
                    var body = FrameCodec.ReadFrameBody(input, out var type, out var channel, out var payload);
                    _buffer.Reset();
                    FrameCodec.WriteFrame(_buffer, type, channel, body, payload);
                    Again(() => FrameCodec.ReadFrameBody(_buffer.WrittenSpan, out _, out _, out _));
                    break;
                }

            case InputKind.Message:
                {
                    var message = AmqpMessage.Decode(input);
                    _buffer.Reset();
                    message.Encode(_buffer);
                    Again(() => AmqpMessage.Decode(_buffer.WrittenSpan));
                    break;
                }

            default:
                {
                    var reader = new AmqpReader(input);
                    var value = reader.ReadObject();
                    _buffer.Reset();
                    new AmqpWriter(_buffer).WriteObject(value);
                    Again(() => new AmqpReader(_buffer.WrittenSpan).ReadObject());
                    break;
                }
        }
    }

    /// <summary>Decoding what Van itself encoded may not fail with a decode error: that would be an encoder bug.</summary>
    private static void Again(Func<object?> decode)
    {
        try
        {
            _ = decode();
        }
        catch (AmqpDecodeException e)
        {
            throw new RoundTripException("Van's encoding of a decoded value does not decode: " + e.Message, e);
        }
    }
}

/// <summary>A decode error on bytes Van encoded itself from a decoded value: reported as a failure.</summary>
internal sealed class RoundTripException : Exception
{
    public RoundTripException(string message, Exception inner) : base(message, inner)
    {
    }

    public RoundTripException()
    {
    }

    public RoundTripException(string message) : base(message)
    {
    }
}
