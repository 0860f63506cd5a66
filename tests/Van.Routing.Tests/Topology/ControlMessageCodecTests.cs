using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;
using Van.Routing.Internal.Topology;

namespace Van.Routing.Tests.Topology;

public class ControlMessageCodecTests
{
    private static readonly Gen<string> Text =
        Gen.ArrayOf(Gen.Elements("a", "Z", "0", "-", "_", "/", ".", ":", " ", "é", "中", "🚀")).Select(string.Concat);

    private static readonly Gen<string> Name = Text.Where(s => s.Length > 0);

    private static readonly Gen<long> AnyLong = Gen.OneOf(
        ArbMap.Default.GeneratorFor<long>(),
        Gen.Elements(0L, 1L, -1L, long.MinValue, long.MaxValue, int.MaxValue + 1L));

    private static readonly Gen<Dictionary<string, int>> Costs = IntMap(Gen.Choose(1, int.MaxValue));

    // Audience entries: "+pattern" or "-pattern"; none for most messages, as on the wire.
    private static readonly Gen<Dictionary<string, IReadOnlyList<string>>?> Audiences = Gen.Frequency(
        (3, Gen.Constant<Dictionary<string, IReadOnlyList<string>>?>(null)),
        (1, Gen.ListOf(Name.Zip(Gen.ListOf(Gen.Elements("+", "-").Zip(Name).Select(e => e.Item1 + e.Item2)).Select(l => l.ToArray()).Where(l => l.Length > 0)))
            .Select(kvs =>
            {
                var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                foreach (var (k, v) in kvs)
                {
                    map[k] = v;
                }

                return map.Count == 0 ? null : map;
            })));

    private static readonly Gen<ControlMessage> AnyMessage = Gen.OneOf(
        from id in Name
        from epoch in AnyLong
        from ls in AnyLong
        from addr in AnyLong
        select (ControlMessage)new HelloMessage(id, epoch, ls, addr),
        from origin in Name
        from epoch in AnyLong
        from seq in AnyLong
        from site in Text
        from neighbours in Costs
        select (ControlMessage)new LinkStateMessage(origin, epoch, seq, site, neighbours),
        Text.Select(o => (ControlMessage)new LinkStateRequest(o)),
        from origin in Name
        from epoch in AnyLong
        from seq in AnyLong
        from full in ArbMap.Default.GeneratorFor<bool>()
        from added in IntMap(Gen.Choose(0, int.MaxValue))
        from removed in Gen.ListOf(Name)
        from audiences in Audiences
        select (ControlMessage)new AddressMessage(origin, epoch, seq, full, added, removed, audiences),
        Text.Select(o => (ControlMessage)new AddressRequest(o)));

    [Fact]
    public void Decode_EncodedMessage_RoundTrips() =>
        Prop.ForAll(AnyMessage.ToArbitrary(), message =>
        {
            using var buffer = new AmqpBuffer();
            buffer.Write<byte>([0xEE]);
            message.Encode(buffer);

            var decoded = ControlMessage.Decode(buffer.WrittenSpan[1..]);

            AssertSame(message, decoded);
            Assert.Equal(message.ToArray(), decoded.ToArray());
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));

    [Fact]
    public void Encode_AddressRequest_MatchesVector()
    {
        // properties{subject="addr-req"} then amqp-value ["x"], smallest encodings throughout.
        var expected = Convert.FromHexString("005373c00e04404040a1086164" + "64722d726571" + "005377c00401a10178");

        Assert.Equal(expected, new AddressRequest("x").ToArray());
        Assert.Equal("x", Assert.IsType<AddressRequest>(ControlMessage.Decode(expected)).Origin);
    }

    [Fact]
    public void Encode_AddressMessageWithoutAudiences_HasTheSixFieldsOfBefore()
    {
        var message = new AddressMessage("n", 1, 2, true, new Dictionary<string, int> { ["a"] = 3 }, []);

        var fields = Assert.IsType<List<object?>>(AmqpMessage.Decode(message.ToArray()).Value);

        Assert.Equal(6, fields.Count);
        Assert.Empty(Assert.IsType<AddressMessage>(ControlMessage.Decode(message.ToArray())).Audiences);
    }

    [Fact]
    public void Encode_AddressMessageWithAudience_MatchesVector()
    {
        // properties{subject="addr"}, then amqp-value ["n", 1L, 2L, true, {"a": 3}, [], {"a": ["+hub", "-*"]}].
        var expected = Convert.FromHexString(
            "005373c00a04404040a10461646472"
            + "005377c02507a1016e" + "5501" + "5502" + "41" + "c10602a101615403" + "45"
            + "c11102a10161c00b02a1042b687562a1022d2a");
        var message = new AddressMessage("n", 1, 2, true, new Dictionary<string, int> { ["a"] = 3 }, [], new Dictionary<string, IReadOnlyList<string>> { ["a"] = ["+hub", "-*"] });

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(message.ToArray()));
        var decoded = Assert.IsType<AddressMessage>(ControlMessage.Decode(expected));
        Assert.Equal(["+hub", "-*"], decoded.AudienceOf("a"));
    }

    [Fact]
    public void Decode_AddressMessageOfAnEarlierVersion_HasNoAudiences()
    {
        var decoded = Assert.IsType<AddressMessage>(ControlMessage.Decode(Amqp("addr", ["n1", 1L, 1L, true, Map(("a", 1)), new List<object?>()])));

        Assert.Empty(decoded.Audiences);
        Assert.Null(decoded.AudienceOf("a"));
    }

    [Fact]
    public void ApplyTo_IncrementalChange_KeepsAudiencesOfUntouchedAddressesAndTakesNewOnes()
    {
        var stored = new AddressMessage("n", 1, 1, true, new Dictionary<string, int> { ["a"] = 1, ["b"] = 1, ["c"] = 1 }, [],
            new Dictionary<string, IReadOnlyList<string>> { ["a"] = ["-x"], ["b"] = ["-y"], ["c"] = ["-z"] });
        var change = new AddressMessage("n", 1, 2, false, new Dictionary<string, int> { ["b"] = 2, ["d"] = 1 }, ["c"],
            new Dictionary<string, IReadOnlyList<string>> { ["d"] = ["+w", "-*"] });

        var applied = change.ApplyTo(stored);

        Assert.Equal(["-x"], applied.AudienceOf("a"));
        Assert.Null(applied.AudienceOf("b"));
        Assert.Null(applied.AudienceOf("c"));
        Assert.Equal(["+w", "-*"], applied.AudienceOf("d"));
    }

    [Fact]
    public void Decode_ExtraTrailingFields_AreIgnored()
    {
        var bytes = Amqp("hello", ["n1", 2L, 3L, 4L, "from a later version"]);

        var hello = Assert.IsType<HelloMessage>(ControlMessage.Decode(bytes));

        Assert.Equal(("n1", 2L, 3L, 4L), (hello.NodeId, hello.Epoch, hello.LsSeq, hello.AddrSeq));
    }

    [Fact]
    public void Decode_IntWhereLongExpected_IsAccepted()
    {
        var hello = Assert.IsType<HelloMessage>(ControlMessage.Decode(Amqp("hello", ["n1", 2, 3, 4])));

        Assert.Equal(3L, hello.LsSeq);
    }

    public static TheoryData<string, byte[]> WrongShapes => new()
    {
        { "no subject", new AmqpMessage { Value = new List<object?> { "n1" } }.ToArray() },
        { "unknown kind", Amqp("gossip", ["n1"]) },
        { "no body", new AmqpMessage { Properties = new Properties { Subject = "hello" } }.ToArray() },
        { "data body", new AmqpMessage { Properties = new Properties { Subject = "hello" }, Data = [new byte[] { 1 }] }.ToArray() },
        { "value not a list", new AmqpMessage { Properties = new Properties { Subject = "hello" }, Value = "n1" }.ToArray() },
        { "too few fields", Amqp("hello", ["n1", 1L, 1L]) },
        { "empty list", Amqp("lsr-req", []) },
        { "null node id", Amqp("hello", [null, 1L, 1L, 1L]) },
        { "empty node id", Amqp("hello", ["", 1L, 1L, 1L]) },
        { "string seq", Amqp("hello", ["n1", 1L, "1", 1L]) },
        { "ulong seq", Amqp("hello", ["n1", 1L, 1UL, 1L]) },
        { "neighbours a list", Amqp("lsr", ["n1", 1L, 1L, "s", new List<object?>()]) },
        { "zero cost", Amqp("lsr", ["n1", 1L, 1L, "s", Map(("n2", 0))]) },
        { "negative cost", Amqp("lsr", ["n1", 1L, 1L, "s", Map(("n2", -5))]) },
        { "cost too big for int", Amqp("lsr", ["n1", 1L, 1L, "s", Map(("n2", 1L << 40))]) },
        { "cost a string", Amqp("lsr", ["n1", 1L, 1L, "s", Map(("n2", "1"))]) },
        { "integer key", Amqp("lsr", ["n1", 1L, 1L, "s", Map((7, 1))]) },
        { "empty key", Amqp("lsr", ["n1", 1L, 1L, "s", Map(("", 1))]) },
        { "site null", Amqp("lsr", ["n1", 1L, 1L, null, Map()]) },
        { "full not bool", Amqp("addr", ["n1", 1L, 1L, 1, Map(), new List<object?>()]) },
        { "negative capacity", Amqp("addr", ["n1", 1L, 1L, true, Map(("a", -1)), new List<object?>()]) },
        { "removed holds an int", Amqp("addr", ["n1", 1L, 1L, false, Map(), new List<object?> { 1 }]) },
        { "removed holds null", Amqp("addr", ["n1", 1L, 1L, false, Map(), new List<object?> { null }]) },
        { "removed a map", Amqp("addr", ["n1", 1L, 1L, false, Map(), Map()]) },
        { "request origin null", Amqp("addr-req", [null]) },
        { "audiences a list", Amqp("addr", ["n1", 1L, 1L, true, Map(("a", 1)), new List<object?>(), new List<object?>()]) },
        { "audience a string", Amqp("addr", ["n1", 1L, 1L, true, Map(("a", 1)), new List<object?>(), Map(("a", "+x"))]) },
        { "audience entry without sign", Amqp("addr", ["n1", 1L, 1L, true, Map(("a", 1)), new List<object?>(), Map(("a", new List<object?> { "x" }))]) },
        { "audience entry only a sign", Amqp("addr", ["n1", 1L, 1L, true, Map(("a", 1)), new List<object?>(), Map(("a", new List<object?> { "+" }))]) },
        { "audience entry null", Amqp("addr", ["n1", 1L, 1L, true, Map(("a", 1)), new List<object?>(), Map(("a", new List<object?> { null }))]) },
        { "audience key empty", Amqp("addr", ["n1", 1L, 1L, true, Map(("a", 1)), new List<object?>(), Map(("", new List<object?> { "+x" }))]) },
        { "audience too long", Amqp("addr", ["n1", 1L, 1L, true, Map(("a", 1)), new List<object?>(), Map(("a", Enumerable.Repeat<object?>("-x", 300).ToList()))]) },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void Decode_WellFormedAmqpOfWrongShape_ThrowsFormatException(string shape, byte[] bytes)
    {
        var e = Assert.Throws<FormatException>(() => ControlMessage.Decode(bytes));
        Assert.False(string.IsNullOrEmpty(e.Message), shape);
    }

    [Fact]
    public void Decode_ArbitraryBytes_ThrowsOnlyDecodeOrFormatException() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => DecodeOrFail(bytes))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(3000));

    [Fact]
    public void Decode_MutatedValidMessage_ThrowsOnlyDecodeOrFormatException()
    {
        var mutations = AnyMessage.Zip(Gen.ArrayOf(Gen.Choose(0, int.MaxValue)).Where(a => a.Length > 0));
        Prop.ForAll(mutations.ToArbitrary(), m =>
        {
            var (message, edits) = m;
            var bytes = message.ToArray().ToList();
            foreach (var edit in edits)
            {
                var at = edit % (bytes.Count + 1);
                switch ((edit >> 24) % 4)
                {
                    case 0 when at < bytes.Count: bytes[at] = (byte)(edit >> 8); break;
                    case 1 when at < bytes.Count: bytes.RemoveAt(at); break;
                    case 2: bytes.Insert(at, (byte)(edit >> 8)); break;
                    default: bytes.RemoveRange(at, bytes.Count - at); break;
                }
            }

            DecodeOrFail([.. bytes]);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
    }

    [Fact]
    public void Decode_ArbitraryFieldValues_ThrowsOnlyFormatException()
    {
        var value = Gen.Sized(size => Value(Math.Min(size, 3)));
        var cases = Gen.Elements("hello", "lsr", "lsr-req", "addr", "addr-req").Zip(Gen.ListOf(value));
        Prop.ForAll(cases.ToArbitrary(), c => DecodeOrFail(Amqp(c.Item1, [.. c.Item2])))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
    }

    private static Gen<object?> Value(int depth)
    {
        var leaf = Gen.OneOf(
            Gen.Constant<object?>(null),
            Text.Select(s => (object?)s),
            AnyLong.Select(l => (object?)l),
            Gen.Choose(-3, 3).Select(i => (object?)i),
            ArbMap.Default.GeneratorFor<bool>().Select(b => (object?)b),
            Gen.Choose(0, 9).Select(i => (object?)(ulong)i));
        if (depth <= 0)
        {
            return leaf;
        }

        var inner = Value(depth - 1);
        return Gen.OneOf(
            leaf,
            Gen.ListOf(inner).Select(l => (object?)l.ToList()),
            Gen.ListOf(leaf.Where(k => k is not null).Zip(inner)).Select(kvs =>
            {
                var map = new Dictionary<object, object?>();
                foreach (var (k, v) in kvs)
                {
                    map[k!] = v;
                }

                return (object?)map;
            }));
    }

    private static void DecodeOrFail(byte[] bytes)
    {
        try
        {
            _ = ControlMessage.Decode(bytes);
        }
        catch (AmqpDecodeException)
        {
        }
        catch (FormatException)
        {
        }
    }

    private static byte[] Amqp(string subject, List<object?> fields) =>
        new AmqpMessage { Properties = new Properties { Subject = subject }, Value = fields }.ToArray();

    private static Dictionary<object, object?> Map(params (object Key, object? Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    private static Gen<Dictionary<string, int>> IntMap(Gen<int> values) =>
        Gen.ListOf(Name.Zip(values)).Select(kvs =>
        {
            var map = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (k, v) in kvs)
            {
                map[k] = v;
            }

            return map;
        });

    private static void AssertSame(ControlMessage expected, ControlMessage actual)
    {
        Assert.IsType(expected.GetType(), actual);
        switch (expected)
        {
            case HelloMessage e:
                var h = (HelloMessage)actual;
                Assert.Equal((e.NodeId, e.Epoch, e.LsSeq, e.AddrSeq), (h.NodeId, h.Epoch, h.LsSeq, h.AddrSeq));
                break;
            case LinkStateMessage e:
                var l = (LinkStateMessage)actual;
                Assert.Equal((e.Origin, e.Epoch, e.Seq, e.Site), (l.Origin, l.Epoch, l.Seq, l.Site));
                Assert.Equal(e.Neighbours.OrderBy(kv => kv.Key, StringComparer.Ordinal), l.Neighbours.OrderBy(kv => kv.Key, StringComparer.Ordinal));
                break;
            case LinkStateRequest e:
                Assert.Equal(e.Origin, ((LinkStateRequest)actual).Origin);
                break;
            case AddressMessage e:
                var a = (AddressMessage)actual;
                Assert.Equal((e.Origin, e.Epoch, e.Seq, e.Full), (a.Origin, a.Epoch, a.Seq, a.Full));
                Assert.Equal(e.Added.OrderBy(kv => kv.Key, StringComparer.Ordinal), a.Added.OrderBy(kv => kv.Key, StringComparer.Ordinal));
                Assert.Equal(e.Removed, a.Removed);
                Assert.Equal(
                    e.Audiences.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, string.Join("\n", kv.Value))),
                    a.Audiences.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, string.Join("\n", kv.Value))));
                break;
            case AddressRequest e:
                Assert.Equal(e.Origin, ((AddressRequest)actual).Origin);
                break;
        }
    }
}
