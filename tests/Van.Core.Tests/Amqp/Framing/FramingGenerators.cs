using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Tests.Amqp.Framing;

/// <summary>
/// FsCheck generators for every framing type. Values are chosen to survive a round trip exactly: text without
/// lone surrogates, map values of types the codec reads back as the same .NET type, and nulls and spec defaults
/// mixed in often so that trailing-field dropping and null-means-default are exercised.
/// </summary>
internal static class FramingGenerators
{
    public static Gen<bool> Bool { get; } = ArbMap.Default.GeneratorFor<bool>();

    public static Gen<uint> UInt32 { get; } = Gen.OneOf(
        ArbMap.Default.GeneratorFor<uint>(),
        Gen.Choose(0, 300).Select(i => (uint)i),
        Gen.Elements(0u, uint.MaxValue, 2147483647u));

    public static Gen<ulong> UInt64 { get; } = Gen.OneOf(
        ArbMap.Default.GeneratorFor<ulong>(),
        Gen.Choose(0, 300).Select(i => (ulong)i),
        Gen.Elements(0ul, ulong.MaxValue));

    public static Gen<ushort> UInt16 { get; } = Gen.OneOf(
        ArbMap.Default.GeneratorFor<ushort>(),
        Gen.Elements((ushort)0, (ushort)32767, ushort.MaxValue));

    private static readonly Gen<char> SafeChar = Gen.OneOf(
        Gen.Choose(0x20, 0x7e),
        Gen.Choose(0xa0, 0xd7ff),
        Gen.Choose(0xe000, 0xfffd)).Select(i => (char)i);

    public static Gen<string> Text { get; } = Gen.Frequency(
        (8, Gen.ArrayOf(SafeChar).Select(a => new string(a))),
        (1, Gen.Elements("", "08707695-611e-46a8-8229-5599230f12bb", "amqp:/_topo/0/R1/temp.n2+2SvBmbsKfNyX", "ünïcödé 😀")),
        (1, Gen.Choose(256, 320).Select(n => new string('x', n))));

    public static Gen<AmqpSymbol> Symbol { get; } = Gen.Frequency(
        (6, Gen.ArrayOf(Gen.Choose(0x21, 0x7e).Select(i => (char)i)).Select(a => new AmqpSymbol(new string(a)))),
        (3, Gen.Elements<AmqpSymbol>("ANONYMOUS", "PLAIN", "ANONYMOUS-RELAY", "qd.streaming-links", "session-end", "amqp:not-found")),
        (1, Gen.Choose(256, 300).Select(n => new AmqpSymbol(new string('s', n)))));

    public static Gen<byte[]> Bytes { get; } = Gen.Frequency(
        (8, ArbMap.Default.GeneratorFor<byte[]>().Where(b => b is not null)),
        (1, Gen.Choose(256, 400).Select(n => Enumerable.Range(0, n).Select(i => (byte)i).ToArray())));

    public static Gen<AmqpSymbol[]> Symbols { get; } = Gen.Frequency(
        (4, Gen.ArrayOf(Symbol)),
        (1, Gen.Constant(Array.Empty<AmqpSymbol>())));

    public static Gen<DeliveryTag> Tag { get; } = Gen.Choose(0, DeliveryTag.MaxLength)
        .SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n))
        .Select(b => new DeliveryTag(b));

    /// <summary>Values the codec reads back as the same .NET type, including described values and lists.</summary>
    public static Gen<object?> Value { get; } = Gen.OneOf(
        Gen.Constant<object?>(null),
        Bool.Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<byte>().Select(v => (object?)v),
        UInt16.Select(v => (object?)v),
        UInt32.Select(v => (object?)v),
        UInt64.Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<int>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<long>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<Guid>().Select(v => (object?)v),
        Text.Select(v => (object?)v),
        Symbol.Select(v => (object?)v),
        Bytes.Select(v => (object?)v),
        Text.Select(v => (object?)new AmqpDescribed(new AmqpSymbol("apache.org:selector-filter:string"), v)),
        UInt32.Select(v => (object?)new AmqpDescribed(0x468C00000004UL, v)),
        Gen.ListOf(UInt32.Select(v => (object?)v)).Select(l => (object?)new List<object?>(l)));

    public static Gen<Dictionary<AmqpSymbol, object?>> Fields { get; } =
        Gen.ListOf(Symbol.Zip(Value)).Select(pairs =>
        {
            var map = new Dictionary<AmqpSymbol, object?>();
            foreach (var (k, v) in pairs)
            {
                map[k] = v;
            }

            return map;
        });

    /// <summary>An attach's raw unsettled map: delivery tags to delivery states, as the generic decoder sees them.</summary>
    public static Gen<Dictionary<object, object?>> UnsettledMap { get; } =
        Gen.ListOf(Bytes.Zip(Gen.Elements<object?>(
            null,
            new AmqpDescribed(0x24UL, new List<object?>()),
            new AmqpDescribed(0x26UL, new List<object?>())))).Select(pairs =>
        {
            var map = new Dictionary<object, object?>(AmqpValueComparer.Instance!);
            foreach (var (k, v) in pairs)
            {
                map[k] = v;
            }

            return map;
        });

    public static Gen<T?> OrNull<T>(Gen<T> gen)
        where T : class =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (2, gen.Select(v => (T?)v)));

    public static Gen<T?> OrNullValue<T>(Gen<T> gen)
        where T : struct =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (2, gen.Select(v => (T?)v)));

    /// <summary>Mostly the default, sometimes anything: defaults are where encodings get interesting.</summary>
    public static Gen<T> OrDefault<T>(Gen<T> gen, T defaultValue) =>
        Gen.Frequency((1, Gen.Constant(defaultValue)), (1, gen));

    public static Gen<Error> Error { get; } =
        from condition in Symbol
        from description in OrNull(Text)
        from info in OrNull(Fields)
        select new Error(condition, description) { Info = info };

    public static Gen<Rejected> RejectedState { get; } = OrNull(Error).Select(e => new Rejected(e));

    public static Gen<Modified> ModifiedState { get; } =
        from failed in Bool
        from undeliverable in Bool
        from annotations in OrNull(Fields)
        select new Modified { DeliveryFailed = failed, UndeliverableHere = undeliverable, MessageAnnotations = annotations };

    public static Gen<Received> ReceivedState { get; } =
        from number in UInt32
        from offset in UInt64
        select new Received { SectionNumber = number, SectionOffset = offset };

    /// <summary>The outcomes: accepted, rejected, released, modified.</summary>
    public static Gen<DeliveryState> Outcome { get; } = Gen.OneOf(
        Gen.Constant<DeliveryState>(Accepted.Instance),
        Gen.Constant<DeliveryState>(Released.Instance),
        RejectedState.Select(s => (DeliveryState)s),
        ModifiedState.Select(s => (DeliveryState)s));

    public static Gen<TransactionalState> TransactionalStateGen { get; } =
        from txn in Bytes
        from outcome in OrNull(Outcome)
        select new TransactionalState { TxnId = txn, Outcome = outcome };

    public static Gen<Declared> DeclaredState { get; } = Bytes.Select(b => new Declared { TxnId = b });

    /// <summary>Every delivery state.</summary>
    public static Gen<DeliveryState> State { get; } = Gen.OneOf(
        Outcome,
        ReceivedState.Select(s => (DeliveryState)s),
        TransactionalStateGen.Select(s => (DeliveryState)s),
        DeclaredState.Select(s => (DeliveryState)s));

    private static Gen<TerminusDurability> Durability { get; } =
        Gen.Elements(TerminusDurability.None, TerminusDurability.Configuration, TerminusDurability.UnsettledState);

    private static Gen<AmqpSymbol> ExpiryPolicy { get; } =
        Gen.Elements<AmqpSymbol>("link-detach", "session-end", "connection-close", "never");

    public static Gen<Source> Source { get; } =
        from address in OrNull(Text)
        from durable in OrDefault(Durability, TerminusDurability.None)
        from expiry in OrNullValue(ExpiryPolicy)
        from timeout in OrDefault(UInt32, 0u)
        from dynamic in Bool
        from nodeProperties in OrNull(Fields)
        from distribution in OrNullValue(Gen.Elements<AmqpSymbol>("move", "copy"))
        from filter in OrNull(Fields)
        from defaultOutcome in OrNull(Outcome)
        from outcomes in OrNull(Symbols)
        from capabilities in OrNull(Symbols)
        select new Source
        {
            Address = address, Durable = durable, ExpiryPolicy = expiry, Timeout = timeout, Dynamic = dynamic,
            DynamicNodeProperties = nodeProperties, DistributionMode = distribution, Filter = filter,
            DefaultOutcome = defaultOutcome, Outcomes = outcomes, Capabilities = capabilities,
        };

    private static Gen<Target> NodeTarget { get; } =
        from address in OrNull(Text)
        from durable in OrDefault(Durability, TerminusDurability.None)
        from expiry in OrNullValue(ExpiryPolicy)
        from timeout in OrDefault(UInt32, 0u)
        from dynamic in Bool
        from nodeProperties in OrNull(Fields)
        from capabilities in OrNull(Symbols)
        select new Target
        {
            Address = address, Durable = durable, ExpiryPolicy = expiry, Timeout = timeout, Dynamic = dynamic,
            DynamicNodeProperties = nodeProperties, Capabilities = capabilities,
        };

    private static Gen<Target> Coordinator { get; } =
        OrNull(Symbols).Select(c => new Target { IsCoordinator = true, Capabilities = c });

    public static Gen<Target> Target { get; } = Gen.Frequency((4, NodeTarget), (1, Coordinator));

    public static Gen<Open> Open { get; } =
        from containerId in Text
        from hostname in OrNull(Text)
        from maxFrameSize in OrDefault(UInt32, uint.MaxValue)
        from channelMax in OrDefault(UInt16, ushort.MaxValue)
        from idle in OrNullValue(UInt32)
        from outgoing in OrNull(Symbols)
        from incoming in OrNull(Symbols)
        from offered in OrNull(Symbols)
        from desired in OrNull(Symbols)
        from properties in OrNull(Fields)
        select new Open
        {
            ContainerId = containerId, Hostname = hostname, MaxFrameSize = maxFrameSize, ChannelMax = channelMax,
            IdleTimeOut = idle, OutgoingLocales = outgoing, IncomingLocales = incoming,
            OfferedCapabilities = offered, DesiredCapabilities = desired, Properties = properties,
        };

    public static Gen<Begin> Begin { get; } =
        from remote in OrNullValue(UInt16)
        from next in UInt32
        from incoming in UInt32
        from outgoing in UInt32
        from handleMax in OrDefault(UInt32, uint.MaxValue)
        from offered in OrNull(Symbols)
        from desired in OrNull(Symbols)
        from properties in OrNull(Fields)
        select new Begin
        {
            RemoteChannel = remote, NextOutgoingId = next, IncomingWindow = incoming, OutgoingWindow = outgoing,
            HandleMax = handleMax, OfferedCapabilities = offered, DesiredCapabilities = desired, Properties = properties,
        };

    public static Gen<Attach> Attach { get; } =
        from name in Text
        from handle in UInt32
        from role in Gen.Elements(LinkRole.Sender, LinkRole.Receiver)
        from snd in OrDefault(Gen.Elements(SenderSettleMode.Unsettled, SenderSettleMode.Settled, SenderSettleMode.Mixed), SenderSettleMode.Mixed)
        from rcv in OrDefault(Gen.Elements(ReceiverSettleMode.First, ReceiverSettleMode.Second), ReceiverSettleMode.First)
        from source in OrNull(Source)
        from target in OrNull(Target)
        from unsettled in OrNull(UnsettledMap)
        from incomplete in Bool
        from initial in OrNullValue(UInt32)
        from maxMessageSize in OrNullValue(UInt64)
        from offered in OrNull(Symbols)
        from desired in OrNull(Symbols)
        from properties in OrNull(Fields)
        select new Attach
        {
            Name = name, Handle = handle, Role = role, SndSettleMode = snd, RcvSettleMode = rcv, Source = source,
            Target = target, Unsettled = unsettled, IncompleteUnsettled = incomplete, InitialDeliveryCount = initial,
            MaxMessageSize = maxMessageSize, OfferedCapabilities = offered, DesiredCapabilities = desired,
            Properties = properties,
        };

    public static Gen<Flow> Flow { get; } =
        from nextIncoming in OrNullValue(UInt32)
        from incomingWindow in UInt32
        from nextOutgoing in UInt32
        from outgoingWindow in UInt32
        from handle in OrNullValue(UInt32)
        from deliveryCount in OrNullValue(UInt32)
        from credit in OrNullValue(UInt32)
        from available in OrNullValue(UInt32)
        from drain in Bool
        from echo in Bool
        from properties in OrNull(Fields)
        select new Flow
        {
            NextIncomingId = nextIncoming, IncomingWindow = incomingWindow, NextOutgoingId = nextOutgoing,
            OutgoingWindow = outgoingWindow, Handle = handle, DeliveryCount = deliveryCount, LinkCredit = credit,
            Available = available, Drain = drain, Echo = echo, Properties = properties,
        };

    public static Gen<Transfer> Transfer { get; } =
        from handle in UInt32
        from deliveryId in OrNullValue(UInt32)
        from tag in OrNullValue(Tag)
        from format in OrNullValue(UInt32)
        from settled in OrNullValue(Bool)
        from more in Bool
        from rcv in OrNullValue(Gen.Elements(ReceiverSettleMode.First, ReceiverSettleMode.Second))
        from state in OrNull(State)
        from resume in Bool
        from aborted in Bool
        from batchable in Bool
        select new Transfer
        {
            Handle = handle, DeliveryId = deliveryId, DeliveryTag = tag, MessageFormat = format, Settled = settled,
            More = more, RcvSettleMode = rcv, State = state, Resume = resume, Aborted = aborted, Batchable = batchable,
        };

    public static Gen<Disposition> Disposition { get; } =
        from role in Gen.Elements(LinkRole.Sender, LinkRole.Receiver)
        from first in UInt32
        from last in OrNullValue(UInt32)
        from settled in Bool
        from state in OrNull(State)
        from batchable in Bool
        select new Disposition { Role = role, First = first, Last = last, Settled = settled, State = state, Batchable = batchable };

    public static Gen<Detach> Detach { get; } =
        from handle in UInt32
        from closed in Bool
        from error in OrNull(Error)
        select new Detach { Handle = handle, Closed = closed, Error = error };

    public static Gen<End> End { get; } = OrNull(Error).Select(e => new End(e));

    public static Gen<Close> Close { get; } = OrNull(Error).Select(e => new Close(e));

    public static Gen<SaslMechanisms> SaslMechanisms { get; } =
        Symbols.Select(s => new SaslMechanisms { SaslServerMechanisms = s });

    public static Gen<SaslInit> SaslInit { get; } =
        from mechanism in Symbol
        from response in OrNull(Bytes)
        from hostname in OrNull(Text)
        select new SaslInit { Mechanism = mechanism, InitialResponse = response, Hostname = hostname };

    public static Gen<SaslChallenge> SaslChallenge { get; } = Bytes.Select(b => new SaslChallenge { Challenge = b });

    public static Gen<SaslResponse> SaslResponse { get; } = Bytes.Select(b => new SaslResponse { Response = b });

    public static Gen<SaslOutcome> SaslOutcome { get; } =
        from code in Gen.Elements(SaslCode.Ok, SaslCode.Auth, SaslCode.Sys, SaslCode.SysPerm, SaslCode.SysTemp)
        from data in OrNull(Bytes)
        select new SaslOutcome { Code = code, AdditionalData = data };

    /// <summary>Any performative or SASL frame body.</summary>
    public static Gen<Performative> Performative { get; } = Gen.OneOf(
        Open.Select(p => (Performative)p),
        Begin.Select(p => (Performative)p),
        Attach.Select(p => (Performative)p),
        Flow.Select(p => (Performative)p),
        Transfer.Select(p => (Performative)p),
        Disposition.Select(p => (Performative)p),
        Detach.Select(p => (Performative)p),
        End.Select(p => (Performative)p),
        Close.Select(p => (Performative)p),
        SaslMechanisms.Select(p => (Performative)p),
        SaslInit.Select(p => (Performative)p),
        SaslChallenge.Select(p => (Performative)p),
        SaslResponse.Select(p => (Performative)p),
        SaslOutcome.Select(p => (Performative)p));
}
