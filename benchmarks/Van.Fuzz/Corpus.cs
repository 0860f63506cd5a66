using System.Text;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;

namespace Van.Fuzz;

/// <summary>What a corpus entry is, which decides how a case wraps it for each target.</summary>
internal enum InputKind
{
    /// <summary>A whole frame: 8-byte header, performative, payload.</summary>
    Frame,

    /// <summary>An encoded message: its sections back to back.</summary>
    Message,

    /// <summary>One encoded AMQP value.</summary>
    Value,
}

/// <summary>One valid input the mutators start from.</summary>
internal sealed record CorpusEntry(string Name, InputKind Kind, byte[] Bytes);

/// <summary>
/// The valid inputs, built with Van's own encoders (every performative, SASL frame, message section and value
/// shape), plus the frames and messages of the captured vectors when they can be found.
/// </summary>
internal static class Corpus
{
    public static List<CorpusEntry> Build(string? vectorsDirectory)
    {
        var entries = new List<CorpusEntry>();
        AddValues(entries);
        AddMessages(entries);
        AddFrames(entries);
        if (vectorsDirectory is not null)
        {
            VectorLoader.Load(vectorsDirectory, entries);
        }

        return entries;
    }

    /// <summary>A message that exercises every section and field.</summary>
    public static AmqpMessage FullMessage(string to, object? body)
    {
        var message = new AmqpMessage
        {
            Header = new Header { Durable = true, Priority = 7, Ttl = 30000, FirstAcquirer = true, DeliveryCount = 3 },
            DeliveryAnnotations = new() { [new AmqpSymbol("x-opt-da")] = 1L, [new AmqpSymbol("x-opt-list")] = new List<object?> { 1, "two", null } },
            MessageAnnotations = new() { [new AmqpSymbol("x-opt-to")] = to, [new AmqpSymbol("x-opt-van-trace")] = new List<object?> { "A", "B" } },
            Properties = new Properties
            {
                MessageId = "id-1",
                UserId = [1, 2, 3],
                To = to,
                Subject = "subject",
                ReplyTo = "_van/node/A/r/1",
                CorrelationId = 42UL,
                ContentType = new AmqpSymbol("text/plain"),
                ContentEncoding = new AmqpSymbol("utf-8"),
                AbsoluteExpiryTime = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc),
                CreationTime = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc),
                GroupId = "group",
                GroupSequence = 9,
                ReplyToGroupId = "reply-group",
            },
            ApplicationProperties = new() { ["key"] = "value", ["n"] = 12, ["map"] = new Dictionary<object, object?> { ["k"] = 1.5 } },
            Footer = new() { [new AmqpSymbol("x-opt-sig")] = new byte[] { 9, 9 } },
        };
        switch (body)
        {
            case byte[] data:
                message.Data = [data, new byte[] { 0xde, 0xad }];
                break;
            case List<object?> sequence:
                message.Sequence = [sequence, new List<object?> { "second" }];
                break;
            default:
                message.Value = body;
                break;
        }

        return message;
    }

    private static void AddMessages(List<CorpusEntry> entries)
    {
        entries.Add(new("msg:full-value", InputKind.Message, FullMessage("fuzz-sink", "hello").ToArray()));
        entries.Add(new("msg:full-data", InputKind.Message, FullMessage("fuzz-sink", new byte[] { 1, 2, 3, 4, 5 }).ToArray()));
        entries.Add(new("msg:full-sequence", InputKind.Message, FullMessage("fuzz-sink", new List<object?> { 1, "x", new AmqpSymbol("s") }).ToArray()));
        entries.Add(new("msg:full-composite", InputKind.Message, FullMessage("fuzz-sink", CompositeValue()).ToArray()));
        entries.Add(new("msg:value-only", InputKind.Message, AmqpMessage.Create("just a value").ToArray()));
        entries.Add(new("msg:data-only", InputKind.Message, AmqpMessage.CreateData(new byte[300]).ToArray()));
        entries.Add(new("msg:to-only", InputKind.Message, new AmqpMessage { Properties = new Properties { To = "fuzz-sink", MessageId = Guid.Empty } , Value = 1 }.ToArray()));
        entries.Add(new("msg:header-only", InputKind.Message, new AmqpMessage { Header = new Header() }.ToArray()));

        // Symbolic section descriptors, as some peers send them.
        using var buffer = new AmqpBuffer();
        var writer = new AmqpWriter(buffer);
        writer.WriteDescriptor(new AmqpSymbol("amqp:properties:list"));
        var bookmark = writer.BeginList();
        writer.WriteNull();
        writer.WriteNull();
        writer.WriteString("fuzz-sink");
        writer.EndList(bookmark, 3);
        writer.WriteDescriptor(new AmqpSymbol("amqp:amqp-value:*"));
        writer.WriteString("v");
        entries.Add(new("msg:symbolic-descriptors", InputKind.Message, buffer.ToArray()));
    }

    /// <summary>A value using every primitive width and every compound.</summary>
    public static Dictionary<object, object?> CompositeValue() => new(AmqpValueComparer.Instance!)
    {
        ["null"] = null,
        ["bool"] = new List<object?> { true, false },
        ["ubyte"] = (byte)200,
        ["ushort"] = (ushort)60000,
        ["uint"] = new List<object?> { 0u, 7u, 70000u },
        ["ulong"] = new List<object?> { 0UL, 7UL, 1UL << 40 },
        ["byte"] = (sbyte)-5,
        ["short"] = (short)-300,
        ["int"] = new List<object?> { 5, -100000 },
        ["long"] = new List<object?> { 5L, -1L << 40 },
        ["float"] = 1.5f,
        ["double"] = -2.25,
        ["decimal32"] = new AmqpDecimal32([1, 2, 3, 4]),
        ["decimal64"] = new AmqpDecimal64([1, 2, 3, 4, 5, 6, 7, 8]),
        ["decimal128"] = new AmqpDecimal128(new byte[16]),
        ["char"] = new Rune('é'),
        ["timestamp"] = new DateTime(2025, 5, 5, 0, 0, 0, DateTimeKind.Utc),
        ["uuid"] = Guid.Parse("01234567-89ab-cdef-0123-456789abcdef"),
        ["binary"] = new byte[] { 0, 1, 2 },
        ["binary32"] = new byte[300],
        ["string32"] = new string('s', 300),
        ["symbol"] = new AmqpSymbol("sym"),
        ["list"] = new List<object?> { new List<object?>(), new List<object?> { 1 } },
        ["map"] = new Dictionary<object, object?> { [1] = "one", ["two"] = 2L },
        ["int[]"] = new[] { 1, 2, 3 },
        ["symbol[]"] = new[] { new AmqpSymbol("a"), new AmqpSymbol("b") },
        ["string[]"] = new[] { "x", "y" },
        ["long[]"] = new[] { 1L, 2L },
        ["uuid[]"] = new[] { Guid.Empty },
        ["described"] = new AmqpDescribed(0x77UL, "value"),
        ["described-sym"] = new AmqpDescribed(new AmqpSymbol("com:x"), new List<object?> { 1 }),
        [5L] = "non-string key",
    };

    private static readonly int[] IntPair = [1, 2];
    private static readonly int[] IntSingle = [3];

    private static void AddValues(List<CorpusEntry> entries)
    {
        void Add(string name, object? value)
        {
            using var buffer = new AmqpBuffer();
            new AmqpWriter(buffer).WriteObject(value);
            entries.Add(new("value:" + name, InputKind.Value, buffer.ToArray()));
        }

        Add("composite", CompositeValue());
        Add("list", new List<object?> { 1, "a", new AmqpSymbol("s"), null, true, 2.5, new byte[] { 1 } });
        Add("nested", new List<object?> { new List<object?> { new List<object?> { new Dictionary<object, object?> { ["k"] = IntPair } } } });
        Add("array-of-arrays", new Array[] { IntPair, IntSingle });
        Add("array-of-lists", new[] { new List<object?> { 1 }, new List<object?> { "a" } });
        Add("array-of-maps", new[] { new Dictionary<object, object?> { ["a"] = 1 } });
        Add("big-string", new string('x', 1000));
        Add("symbol-map", new Dictionary<AmqpSymbol, object?> { [new AmqpSymbol("a")] = 1, [new AmqpSymbol("b")] = null });

        // Each outcome and composite the framing layer defines, as a bare value.
        void AddEncoded(string name, Action<AmqpWriter> write)
        {
            using var buffer = new AmqpBuffer();
            write(new AmqpWriter(buffer));
            entries.Add(new("value:" + name, InputKind.Value, buffer.ToArray()));
        }

        foreach (var (name, state) in Outcomes())
        {
            AddEncoded("state-" + name, w => state.Encode(w));
        }

        AddEncoded("error", w => SampleError().Encode(w));
        AddEncoded("source", w => SampleSource().Encode(w));
        AddEncoded("target", w => SampleTarget().Encode(w));

        // Hand-made encodings the writer never produces: the long forms and zero-width forms.
        entries.Add(new("value:long-forms", InputKind.Value,
        [
            0xd0, 0, 0, 0, 0x2e, 0, 0, 0, 10,
            0x56, 0x01, // boolean true, long form
            0x52, 0x05, // smalluint
            0x70, 0, 0, 0, 5, // uint
            0x53, 0x05, // smallulong
            0x80, 0, 0, 0, 0, 0, 0, 0, 5, // ulong
            0x54, 0xfb, // smallint
            0x55, 0xfb, // smalllong
            0xb1, 0, 0, 0, 1, 0x61, // str32
            0xb3, 0, 0, 0, 1, 0x62, // sym32
            0xb0, 0, 0, 0, 1, 0x63, // vbin32
        ]));
        entries.Add(new("value:zero-width", InputKind.Value, [0xc0, 8, 7, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x45]));
        entries.Add(new("value:map32", InputKind.Value, [0xd1, 0, 0, 0, 0x0a, 0, 0, 0, 2, 0xa3, 1, 0x61, 0xa1, 1, 0x62]));
        entries.Add(new("value:array32", InputKind.Value, [0xf0, 0, 0, 0, 0x11, 0, 0, 0, 3, 0x71, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]));
        entries.Add(new("value:array-bool", InputKind.Value, [0xe0, 5, 3, 0x56, 0, 1, 0]));
        entries.Add(new("value:array-described", InputKind.Value, [0xe0, 7, 2, 0x00, 0x53, 0x01, 0x54, 0x02, 0x03]));
        entries.Add(new("value:array-null", InputKind.Value, [0xe0, 2, 3, 0x40]));
    }

    public static IEnumerable<(string Name, DeliveryState State)> Outcomes() =>
    [
        ("accepted", Accepted.Instance),
        ("rejected", new Rejected(SampleError())),
        ("released", Released.Instance),
        ("modified", new Modified { DeliveryFailed = true, UndeliverableHere = true, MessageAnnotations = new() { [new AmqpSymbol("x-opt-m")] = 1 } }),
        ("received", new Received { SectionNumber = 1, SectionOffset = 100 }),
        ("declared", new Declared { TxnId = [1, 2, 3, 4] }),
        ("transactional", new TransactionalState { TxnId = [1, 2], Outcome = Accepted.Instance }),
    ];

    public static Error SampleError() => new()
    {
        Condition = new AmqpSymbol("amqp:not-found"),
        Description = "no such node",
        Info = new() { [new AmqpSymbol("address")] = "x", [new AmqpSymbol("n")] = 1 },
    };

    public static Source SampleSource() => new()
    {
        Address = "fuzz-src",
        Durable = TerminusDurability.Configuration,
        ExpiryPolicy = new AmqpSymbol("link-detach"),
        Timeout = 10,
        Dynamic = false,
        DynamicNodeProperties = new() { [new AmqpSymbol("lifetime-policy")] = new AmqpDescribed(0x2bUL, new List<object?>()) },
        DistributionMode = new AmqpSymbol("move"),
        Filter = new()
        {
            [new AmqpSymbol("selector")] = new AmqpDescribed(0x0000468C00000004UL, "colour = 'red'"),
            [new AmqpSymbol("subject")] = new AmqpDescribed(new AmqpSymbol("apache.org:legacy-amqp-topic-binding:string"), "a.b"),
        },
        DefaultOutcome = Released.Instance,
        Outcomes = [new AmqpSymbol("amqp:accepted:list"), new AmqpSymbol("amqp:rejected:list")],
        Capabilities = [new AmqpSymbol("queue")],
    };

    public static Target SampleTarget() => new()
    {
        Address = "fuzz-sink",
        Durable = TerminusDurability.None,
        ExpiryPolicy = new AmqpSymbol("session-end"),
        Timeout = 5,
        DynamicNodeProperties = new() { [new AmqpSymbol("x")] = 1 },
        Capabilities = [new AmqpSymbol("topic")],
    };

    /// <summary>Every performative with its fields set, as (name, frame type, channel, performative, payload).</summary>
    public static IEnumerable<(string Name, byte Type, Performative Body, byte[] Payload)> Performatives()
    {
        var symbols = new[] { new AmqpSymbol("ANONYMOUS-RELAY"), new AmqpSymbol("x-cap") };
        yield return ("open", FrameCodec.TypeAmqp, new Open
        {
            ContainerId = "fuzz-client",
            Hostname = "localhost",
            MaxFrameSize = 65536,
            ChannelMax = 7,
            IdleTimeOut = 30000,
            OutgoingLocales = [new AmqpSymbol("en-US")],
            IncomingLocales = [new AmqpSymbol("en-US"), new AmqpSymbol("fr")],
            OfferedCapabilities = symbols,
            DesiredCapabilities = symbols,
            Properties = new() { [new AmqpSymbol("product")] = "fuzz", [new AmqpSymbol("version")] = "1", [new AmqpSymbol("n")] = 3L },
        }, []);
        yield return ("open-minimal", FrameCodec.TypeAmqp, new Open { ContainerId = "c" }, []);
        yield return ("begin", FrameCodec.TypeAmqp, new Begin
        {
            RemoteChannel = 0,
            NextOutgoingId = 1,
            IncomingWindow = 100,
            OutgoingWindow = 100,
            HandleMax = 10,
            OfferedCapabilities = symbols,
            DesiredCapabilities = symbols,
            Properties = new() { [new AmqpSymbol("p")] = true },
        }, []);
        yield return ("attach-sender", FrameCodec.TypeAmqp, new Attach
        {
            Name = "sender-link",
            Handle = 0,
            Role = LinkRole.Sender,
            SndSettleMode = SenderSettleMode.Unsettled,
            RcvSettleMode = ReceiverSettleMode.First,
            Source = SampleSource(),
            Target = SampleTarget(),
            Unsettled = new() { [new byte[] { 1, 2 }] = new AmqpDescribed(0x24UL, new List<object?>()) },
            IncompleteUnsettled = true,
            InitialDeliveryCount = 0,
            MaxMessageSize = 1 << 20,
            OfferedCapabilities = symbols,
            DesiredCapabilities = symbols,
            Properties = new() { [new AmqpSymbol("p")] = "q" },
        }, []);
        yield return ("attach-receiver", FrameCodec.TypeAmqp, new Attach
        {
            Name = "receiver-link",
            Handle = 1,
            Role = LinkRole.Receiver,
            Source = new Source { Address = null, Dynamic = true, DynamicNodeProperties = new() { [new AmqpSymbol("x")] = 1 } },
            Target = new Target { Address = "r" },
        }, []);
        yield return ("attach-coordinator", FrameCodec.TypeAmqp, new Attach
        {
            Name = "txn",
            Handle = 2,
            Role = LinkRole.Sender,
            Source = new Source(),
            Target = new Target { IsCoordinator = true, Capabilities = [new AmqpSymbol("amqp:local-transactions")] },
        }, []);
        yield return ("flow", FrameCodec.TypeAmqp, new Flow
        {
            NextIncomingId = 1,
            IncomingWindow = 2048,
            NextOutgoingId = 1,
            OutgoingWindow = 2048,
            Handle = 0,
            DeliveryCount = 0,
            LinkCredit = 100,
            Available = 5,
            Drain = true,
            Echo = true,
            Properties = new() { [new AmqpSymbol("p")] = 1 },
        }, []);
        yield return ("flow-session", FrameCodec.TypeAmqp, new Flow { IncomingWindow = 10, NextOutgoingId = 0, OutgoingWindow = 10 }, []);
        var payload = FullMessage("fuzz-sink", "payload").ToArray();
        yield return ("transfer", FrameCodec.TypeAmqp, new Transfer
        {
            Handle = 0,
            DeliveryId = 0,
            DeliveryTag = DeliveryTag.FromUInt64(1),
            MessageFormat = 0,
            Settled = false,
            More = false,
            RcvSettleMode = ReceiverSettleMode.Second,
            State = new Received { SectionNumber = 0, SectionOffset = 0 },
            Resume = false,
            Aborted = false,
            Batchable = true,
        }, payload);
        yield return ("transfer-more", FrameCodec.TypeAmqp, new Transfer { Handle = 0, DeliveryId = 1, DeliveryTag = new DeliveryTag([1, 2, 3]), More = true }, payload[..10]);
        yield return ("transfer-aborted", FrameCodec.TypeAmqp, new Transfer { Handle = 0, Aborted = true }, []);
        foreach (var (name, state) in Outcomes())
        {
            yield return ("disposition-" + name, FrameCodec.TypeAmqp,
                new Disposition { Role = LinkRole.Receiver, First = 0, Last = 5, Settled = true, State = state, Batchable = true }, []);
        }

        yield return ("detach", FrameCodec.TypeAmqp, new Detach { Handle = 0, Closed = true, Error = SampleError() }, []);
        yield return ("end", FrameCodec.TypeAmqp, new End(SampleError()), []);
        yield return ("close", FrameCodec.TypeAmqp, new Close(SampleError()), []);
        yield return ("close-plain", FrameCodec.TypeAmqp, new Close(), []);
        yield return ("sasl-mechanisms", FrameCodec.TypeSasl, new SaslMechanisms { SaslServerMechanisms = [new AmqpSymbol("PLAIN"), new AmqpSymbol("ANONYMOUS")] }, []);
        yield return ("sasl-init", FrameCodec.TypeSasl, new SaslInit { Mechanism = new AmqpSymbol("ANONYMOUS"), InitialResponse = "anon"u8.ToArray(), Hostname = "localhost" }, []);
        yield return ("sasl-init-plain", FrameCodec.TypeSasl, new SaslInit { Mechanism = new AmqpSymbol("PLAIN"), InitialResponse = "\0user\0pass"u8.ToArray() }, []);
        yield return ("sasl-challenge", FrameCodec.TypeSasl, new SaslChallenge { Challenge = [1, 2, 3] }, []);
        yield return ("sasl-response", FrameCodec.TypeSasl, new SaslResponse { Response = [4, 5, 6] }, []);
        yield return ("sasl-outcome", FrameCodec.TypeSasl, new SaslOutcome { Code = SaslCode.Ok, AdditionalData = [7] }, []);
    }

    public static byte[] EncodeFrame(byte type, ushort channel, Performative? body, ReadOnlySpan<byte> payload)
    {
        using var buffer = new AmqpBuffer();
        FrameCodec.WriteFrame(buffer, type, channel, body, payload);
        return buffer.ToArray();
    }

    private static void AddFrames(List<CorpusEntry> entries)
    {
        foreach (var (name, type, body, payload) in Performatives())
        {
            entries.Add(new("frame:" + name, InputKind.Frame, EncodeFrame(type, 0, body, payload)));
        }

        entries.Add(new("frame:heartbeat", InputKind.Frame, EncodeFrame(FrameCodec.TypeAmqp, 0, null, default)));

        // An extended header (data offset 3): four bytes the decoder must skip.
        var open = EncodeFrame(FrameCodec.TypeAmqp, 0, new Open { ContainerId = "x" }, default);
        var extended = new byte[open.Length + 4];
        open.AsSpan(0, 8).CopyTo(extended);
        open.AsSpan(8).CopyTo(extended.AsSpan(12));
        extended[3] = (byte)extended.Length;
        extended[4] = 3;
        entries.Add(new("frame:extended-header", InputKind.Frame, extended));
    }
}
