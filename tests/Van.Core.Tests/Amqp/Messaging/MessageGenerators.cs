using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Core.Tests.Amqp.Messaging;

/// <summary>FsCheck generators for message sections and whole messages whose values survive a round trip exactly.</summary>
internal static class MessageGenerators
{
    private const long MinTimestamp = -62135596800000L;
    private const long MaxTimestamp = 253402300799999L;

    public static Gen<long> Int64 { get; } = ArbMap.Default.GeneratorFor<long>();

    public static Gen<ulong> UInt64 { get; } = Gen.OneOf(
        ArbMap.Default.GeneratorFor<ulong>(),
        Gen.Choose(0, 255).Select(i => (ulong)i),
        Gen.Constant(ulong.MaxValue));

    public static Gen<uint> UInt32 { get; } = Gen.OneOf(
        ArbMap.Default.GeneratorFor<uint>(),
        Gen.Choose(0, 255).Select(i => (uint)i),
        Gen.Constant(uint.MaxValue));

    // Lone surrogates do not survive UTF-8, so text is built from scalar values only; some strings pass 255 bytes
    // to exercise str32.
    private static readonly Gen<char> Bmp = Gen.OneOf(
        Gen.Choose(0x20, 0x7e),
        Gen.Choose(0, 0xd7ff),
        Gen.Choose(0xe000, 0xfffd)).Select(i => (char)i);

    public static Gen<string> Text { get; } = Gen.Frequency(
        (8, Gen.ArrayOf(Bmp).Select(a => new string(a))),
        (1, Gen.Elements("", "😀 emoji", "ünïcödé", "amqp:/_topo/0/R1/temp.n2+2SvBmbsKfNyX")),
        (1, Gen.Choose(256, 400).Select(n => new string('x', n))));

    public static Gen<AmqpSymbol> Symbol { get; } = Gen.Frequency(
        (8, Gen.ArrayOf(Gen.Choose(0x21, 0x7e).Select(i => (char)i)).Select(a => new AmqpSymbol(new string(a)))),
        (1, Gen.Elements<AmqpSymbol>("x-opt-to", "x-opt-test", "text/plain", "amqp:header:list")),
        (1, Gen.Choose(256, 300).Select(n => new AmqpSymbol(new string('s', n)))));

    public static Gen<byte[]> Bytes { get; } = Gen.Frequency(
        (8, ArbMap.Default.GeneratorFor<byte[]>().Where(b => b is not null)),
        (1, Gen.Choose(256, 600).Select(n => Enumerable.Range(0, n).Select(i => (byte)i).ToArray())));

    public static Gen<DateTime> Timestamp { get; } = Gen.OneOf(
        Int64.Select(l => AmqpTime.FromUnixMilliseconds(MinTimestamp + (long)((ulong)l % (ulong)(MaxTimestamp - MinTimestamp)))),
        Gen.Elements(1700000000000L, 0L, -1L).Select(AmqpTime.FromUnixMilliseconds));

    public static Gen<Guid> Uuid { get; } = ArbMap.Default.GeneratorFor<Guid>();

    /// <summary>Every scalar type the codec reads back as the same .NET type.</summary>
    public static Gen<object?> Scalar { get; } = Gen.OneOf(
        Gen.Constant<object?>(null),
        ArbMap.Default.GeneratorFor<bool>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<byte>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<ushort>().Select(v => (object?)v),
        UInt32.Select(v => (object?)v),
        UInt64.Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<sbyte>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<short>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<int>().Select(v => (object?)v),
        Int64.Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<float>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<double>().Select(v => (object?)v),
        Gen.Choose(0, 0x10ffff).Where(Rune.IsValid).Select(v => (object?)new Rune(v)),
        Timestamp.Select(v => (object?)v),
        Uuid.Select(v => (object?)v),
        Bytes.Select(v => (object?)v),
        Text.Select(v => (object?)v),
        Symbol.Select(v => (object?)v));

    private static readonly Gen<object> Key = Gen.OneOf(
        Text.Select(v => (object)v),
        Symbol.Select(v => (object)v),
        UInt64.Select(v => (object)v),
        ArbMap.Default.GeneratorFor<int>().Select(v => (object)v));

    /// <summary>Any value: scalars, lists, maps, typed arrays and described values, nested to a bounded depth.</summary>
    public static Gen<object?> Value { get; } = Gen.Sized(size => ValueOfDepth(Math.Min(3, size / 10)));

    public static Gen<List<object?>> List { get; } = Gen.Sized(size => ListOf(ValueOfDepth(Math.Min(2, size / 10))));

    public static Gen<Dictionary<AmqpSymbol, object?>> Annotations { get; } =
        Gen.ArrayOf(Gen.Zip(Symbol, Value)).Select(pairs =>
        {
            var map = new Dictionary<AmqpSymbol, object?>();
            foreach (var (k, v) in pairs)
            {
                map[k] = v;
            }

            return map;
        });

    public static Gen<Dictionary<string, object?>> ApplicationProperties { get; } =
        Gen.ArrayOf(Gen.Zip(Text, Scalar)).Select(pairs =>
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (k, v) in pairs)
            {
                map[k] = v;
            }

            return map;
        });

    public static Gen<Header> Header { get; } =
        from durable in ArbMap.Default.GeneratorFor<bool>()
        from priority in Gen.OneOf(Gen.Constant((byte)4), ArbMap.Default.GeneratorFor<byte>())
        from ttl in Gen.OneOf(Gen.Constant<uint?>(null), UInt32.Select(v => (uint?)v))
        from firstAcquirer in ArbMap.Default.GeneratorFor<bool>()
        from deliveryCount in Gen.OneOf(Gen.Constant(0u), UInt32)
        select new Header
        {
            Durable = durable,
            Priority = priority,
            Ttl = ttl,
            FirstAcquirer = firstAcquirer,
            DeliveryCount = deliveryCount,
        };

    public static Gen<object?> MessageId { get; } = Gen.OneOf(
        Gen.Constant<object?>(null),
        UInt64.Select(v => (object?)v),
        Uuid.Select(v => (object?)v),
        Bytes.Select(v => (object?)v),
        Text.Select(v => (object?)v));

    public static Gen<Properties> Properties { get; } =
        from messageId in MessageId
        from userId in Bytes.OrNull()
        from to in Text.OrNull()
        from subject in Text.OrNull()
        from replyTo in Text.OrNull()
        from correlationId in MessageId
        from contentType in Maybe(Symbol)
        from contentEncoding in Maybe(Symbol)
        from expiry in Maybe(Timestamp)
        from creation in Maybe(Timestamp)
        from groupId in Text.OrNull()
        from groupSequence in Maybe(UInt32)
        from replyToGroupId in Text.OrNull()
        select new Properties
        {
            MessageId = messageId,
            UserId = userId,
            To = to,
            Subject = subject,
            ReplyTo = replyTo,
            CorrelationId = correlationId,
            ContentType = contentType,
            ContentEncoding = contentEncoding,
            AbsoluteExpiryTime = expiry,
            CreationTime = creation,
            GroupId = groupId,
            GroupSequence = groupSequence,
            ReplyToGroupId = replyToGroupId,
        };

    /// <summary>A body: data sections, amqp-sequence sections, one amqp-value (possibly null), or none.</summary>
    public static Gen<Action<AmqpMessage>> Body { get; } = Gen.Frequency(
        (3, Gen.NonEmptyListOf(Bytes).Select(b => (Action<AmqpMessage>)(m => m.Data = [.. b.Select(x => new ReadOnlyMemory<byte>(x))]))),
        (3, Gen.NonEmptyListOf(List).Select(s => (Action<AmqpMessage>)(m => m.Sequence = [.. s]))),
        (3, Value.Select(v => (Action<AmqpMessage>)(m => m.Value = v))),
        (1, Gen.Constant<Action<AmqpMessage>>(_ => { })));

    /// <summary>A message with a random subset of sections and any kind of body.</summary>
    public static Gen<AmqpMessage> Message { get; } =
        from header in Header.OrNull()
        from deliveryAnnotations in Annotations.OrNull()
        from messageAnnotations in Annotations.OrNull()
        from properties in Properties.OrNull()
        from applicationProperties in ApplicationProperties.OrNull()
        from body in Body
        from footer in Annotations.OrNull()
        select Build(header, deliveryAnnotations, messageAnnotations, properties, applicationProperties, body, footer);

    public static Gen<byte[]> EncodedMessage { get; } = Message.Select(m => m.ToArray());


    private static AmqpMessage Build(
        Header? header,
        Dictionary<AmqpSymbol, object?>? deliveryAnnotations,
        Dictionary<AmqpSymbol, object?>? messageAnnotations,
        Properties? properties,
        Dictionary<string, object?>? applicationProperties,
        Action<AmqpMessage> body,
        Dictionary<AmqpSymbol, object?>? footer)
    {
        var message = new AmqpMessage
        {
            Header = header,
            DeliveryAnnotations = deliveryAnnotations,
            MessageAnnotations = messageAnnotations,
            Properties = properties,
            ApplicationProperties = applicationProperties,
            Footer = footer,
        };
        body(message);
        return message;
    }

    private static Gen<T?> Maybe<T>(Gen<T> gen)
        where T : struct =>
        Gen.OneOf(Gen.Constant<T?>(null), gen.Select(v => (T?)v));

    private static Gen<List<object?>> ListOf(Gen<object?> item) =>
        Gen.ArrayOf(item).Select(a => a.ToList());

    private static Gen<object?> ValueOfDepth(int depth)
    {
        if (depth <= 0)
        {
            return Scalar;
        }

        var inner = ValueOfDepth(depth - 1);
        var map = Gen.ArrayOf(Gen.Zip(Key, inner)).Select(pairs =>
        {
            var d = new Dictionary<object, object?>(AmqpValueComparer.Instance!);
            foreach (var (k, v) in pairs)
            {
                d[k] = v;
            }

            return (object?)d;
        });
        return Gen.Frequency(
            (6, Scalar),
            (2, ListOf(inner).Select(l => (object?)l)),
            (2, map),
            (1, Gen.ArrayOf(ArbMap.Default.GeneratorFor<int>()).Select(a => (object?)a)),
            (1, Gen.ArrayOf(Text).Select(a => (object?)a)),
            (1, Gen.ArrayOf(Symbol).Select(a => (object?)a)),
            (1, Gen.Zip(UInt64, inner).Select(p => (object?)new AmqpDescribed(p.Item1, p.Item2))));
    }
}
