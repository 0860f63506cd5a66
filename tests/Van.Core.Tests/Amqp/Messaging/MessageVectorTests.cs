using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Core.Tests.Amqp.Messaging;

public class MessageVectorTests
{
    private const string RequestReply = "01-request-reply.txt";
    private const string Encodings = "05-outcomes-and-message-encodings.txt";
    private const string DynamicAddress = "amqp:/_topo/0/R1/temp.n2+2SvBmbsKfNyX";

    public static TheoryData<string, int> AllTransfers()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in new[] { RequestReply, Encodings })
        {
            for (var i = 0; i < VectorMessages.Load(file).Count; i++)
            {
                data.Add(file, i);
            }
        }

        return data;
    }

    private static VectorMessage Single(string file, string rawMessageId, string direction)
    {
        var matches = VectorMessages.WithMessageId(file, rawMessageId).Where(m => m.Direction == direction).ToList();
        return Assert.Single(matches);
    }

    [Theory]
    [MemberData(nameof(AllTransfers))]
    public void Decode_EveryCapturedTransfer_ReencodesToBytesThatDecodeEqual(string file, int index)
    {
        var vector = VectorMessages.Load(file)[index];
        var message = AmqpMessage.Decode(vector.Payload);
        var reencoded = message.ToArray();
        MessageAssert.Equal(message, AmqpMessage.Decode(reencoded));

        // The capture's decode lists the sections in order; ours must find the same ones.
        var reader = new MessageReader(vector.Payload);
        Assert.Equal(vector.Decode.Contains("header[0x70", StringComparison.Ordinal), !reader.HeaderSection.IsEmpty);
        Assert.Equal(vector.Decode.Contains("delivery-annotations[0x71", StringComparison.Ordinal), !reader.DeliveryAnnotationsSection.IsEmpty);
        Assert.Equal(vector.Decode.Contains("message-annotations[0x72", StringComparison.Ordinal), !reader.MessageAnnotationsSection.IsEmpty);
        Assert.Equal(vector.Decode.Contains("properties[0x73", StringComparison.Ordinal), !reader.PropertiesSection.IsEmpty);
        Assert.Equal(vector.Decode.Contains("application-properties[0x74", StringComparison.Ordinal), !reader.ApplicationPropertiesSection.IsEmpty);
        Assert.True(reader.FooterSection.IsEmpty);
        Assert.Equal(vector.Payload.Length, reader.BodyOffset + reader.BodySection.Length);
        Assert.Contains($"payload {vector.Payload.Length} bytes", vector.Decode, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ProtonRequest_HasStringIdReplyToAndStringValue()
    {
        var vector = VectorMessages.Load(RequestReply).First(m => m.Direction == "C>S" && m.Decode.Contains("message-id=str8:\"req-1\"", StringComparison.Ordinal));
        Assert.StartsWith("00537045", Convert.ToHexString(vector.Payload), StringComparison.Ordinal);
        var message = AmqpMessage.Decode(vector.Payload);
        Assert.NotNull(message.Header);
        Assert.False(message.Header.Durable);
        Assert.Equal(4, message.Header.Priority);
        Assert.Equal("req-1", message.Properties!.MessageId);
        Assert.Equal(DynamicAddress, message.Properties.ReplyTo);
        Assert.Null(message.Properties.To);
        Assert.Equal("ping", message.Value);

        var reader = new MessageReader(vector.Payload);
        Assert.False(reader.TryGetTo(out _));
        Assert.True(reader.TryGetReplyTo(out var replyTo));
        Assert.Equal(DynamicAddress, System.Text.Encoding.UTF8.GetString(replyTo));
        Assert.True(reader.TryGetMessageIdRaw(out var id));
        Assert.Equal("A1057265712D31", Convert.ToHexString(id));
        Assert.False(reader.TryGetCorrelationIdRaw(out _));
        Assert.Equal("005377A10470696E67", Convert.ToHexString(reader.BodySection));
    }

    [Fact]
    public void Decode_EchoReply_HasToCorrelationIdAndApplicationProperty()
    {
        foreach (var vector in VectorMessages.Load(RequestReply).Where(m => m.Decode.Contains("correlation-id=str8:\"req-1\"", StringComparison.Ordinal)))
        {
            var message = AmqpMessage.Decode(vector.Payload);
            Assert.Null(message.Properties!.MessageId);
            Assert.Equal(DynamicAddress, message.Properties.To);
            Assert.Equal("req-1", message.Properties.CorrelationId);
            Assert.Equal("qdr-echo", message.ApplicationProperties!["van-node"]);
            Assert.Equal("ping", message.Value);

            var reader = new MessageReader(vector.Payload);
            Assert.True(reader.TryGetTo(out var to));
            Assert.Equal(DynamicAddress, System.Text.Encoding.UTF8.GetString(to));
            Assert.False(reader.TryGetReplyTo(out _));
            Assert.False(reader.TryGetMessageIdRaw(out _));
            Assert.True(reader.TryGetCorrelationIdRaw(out var correlation));
            Assert.Equal("A1057265712D31", Convert.ToHexString(correlation));
            Assert.True(reader.TryGetApplicationProperty("van-node", out var node));
            Assert.Equal("A1087164722D6563686F", Convert.ToHexString(node));
            Assert.False(reader.TryGetApplicationProperty("van-nod", out _));
        }
    }

    [Fact]
    public void Decode_RequestForwardedByRouter_ReplyToCopiedIntoReplyMatches()
    {
        // What an echo service does: the request's reply-to becomes the reply's to, its id the correlation-id.
        var request = VectorMessages.Load(RequestReply).First(m => m.Direction == "S>C" && m.Decode.Contains("message-id=str8:\"req-1\"", StringComparison.Ordinal));
        var replyBytes = VectorMessages.Load(RequestReply).First(m => m.Direction == "C>S" && m.Decode.Contains("correlation-id", StringComparison.Ordinal)).Payload;
        var requestReader = new MessageReader(request.Payload);
        Assert.True(requestReader.TryGetReplyTo(out var replyTo));
        Assert.True(requestReader.TryGetMessageIdRaw(out var id));
        var replyReader = new MessageReader(replyBytes);
        Assert.True(replyReader.TryGetTo(out var to));
        Assert.True(replyReader.TryGetCorrelationIdRaw(out var correlation));
        Assert.True(replyTo.SequenceEqual(to));
        Assert.True(id.SequenceEqual(correlation));
        Assert.True(requestReader.BodySection.SequenceEqual(replyReader.BodySection));
    }

    [Fact]
    public void Decode_FullyLoadedMessage_EveryPropertiesFieldAndSection()
    {
        foreach (var direction in new[] { "C>S", "S>C" })
        {
            var vector = Single(Encodings, "A105612D737472", direction);
            var message = AmqpMessage.Decode(vector.Payload);
            var header = message.Header!;
            Assert.True(header.Durable);
            Assert.Equal(7, header.Priority);
            Assert.Equal(30000u, header.Ttl);
            Assert.False(header.FirstAcquirer);
            Assert.Equal(0u, header.DeliveryCount);
            Assert.Equal(1L, Assert.Single(message.DeliveryAnnotations!, kv => kv.Key == "x-opt-di").Value);
            Assert.Equal("ann", Assert.Single(message.MessageAnnotations!, kv => kv.Key == "x-opt-test").Value);
            var p = message.Properties!;
            Assert.Equal("a-str", p.MessageId);
            Assert.Null(p.UserId);
            Assert.Null(p.To);
            Assert.Equal("subj", p.Subject);
            Assert.Equal("reply-here", p.ReplyTo);
            Assert.Equal("corr-1", p.CorrelationId);
            Assert.Equal(new AmqpSymbol("text/plain"), p.ContentType);
            Assert.Equal(new AmqpSymbol("utf-8"), p.ContentEncoding);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000030000).UtcDateTime, p.AbsoluteExpiryTime);
            Assert.Equal(DateTimeKind.Utc, p.AbsoluteExpiryTime!.Value.Kind);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000000).UtcDateTime, p.CreationTime);
            Assert.Equal("g1", p.GroupId);
            Assert.Equal(3u, p.GroupSequence);
            Assert.Equal("rg1", p.ReplyToGroupId);
            Assert.Equal(2, message.ApplicationProperties!.Count);
            Assert.Equal("v", message.ApplicationProperties["k"]);
            Assert.Equal(5L, message.ApplicationProperties["n"]);
            Assert.True(message.HasValue);
            Assert.Equal("hello", message.Value);
            Assert.Null(message.Data);
            Assert.Null(message.Sequence);
            Assert.Null(message.Footer);

            var reader = new MessageReader(vector.Payload);
            Assert.False(reader.TryGetTo(out _));
            Assert.True(reader.TryGetReplyTo(out var replyTo));
            Assert.Equal("reply-here"u8.ToArray(), replyTo.ToArray());
            Assert.True(reader.TryGetSubject(out var subject));
            Assert.Equal("subj"u8.ToArray(), subject.ToArray());
            Assert.True(reader.TryGetCorrelationIdRaw(out var correlation));
            Assert.Equal("A106636F72722D31", Convert.ToHexString(correlation));
            Assert.True(reader.TryGetMessageAnnotation("x-opt-test", out var ann));
            Assert.Equal("A103616E6E", Convert.ToHexString(ann));
            Assert.False(reader.TryGetMessageAnnotation("x-opt-tes", out _));
            Assert.True(reader.TryGetApplicationProperty("n", out var n));
            Assert.Equal("5505", Convert.ToHexString(n));
            Assert.Equal("005377A10568656C6C6F", Convert.ToHexString(reader.BodySection));
        }
    }

    [Fact]
    public void Decode_ULongIdWithDataBody_DecodesBinary()
    {
        var vector = Single(Encodings, "532A", "C>S");
        var message = AmqpMessage.Decode(vector.Payload);
        Assert.Equal(42UL, message.Properties!.MessageId);
        Assert.Equal([0, 1, 2], Assert.Single(message.Data!).ToArray());
        Assert.Equal([0, 1, 2], message.BodyBytes!.Value.ToArray());
        Assert.False(message.HasValue);
        Assert.Equal("005375A003000102", Convert.ToHexString(new MessageReader(vector.Payload).BodySection));

        // Proton's own layout is the smallest encoding, so ours matches it byte for byte.
        Assert.Equal(Convert.ToHexString(vector.Payload), Convert.ToHexString(message.ToArray()));
    }

    [Fact]
    public void Decode_UuidIdWithMapValue_DecodesMap()
    {
        var vector = Single(Encodings, "9800112233445566778899AABBCCDDEEFF", "C>S");
        var message = AmqpMessage.Decode(vector.Payload);
        Assert.Equal(Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), message.Properties!.MessageId);
        var map = Assert.IsType<Dictionary<object, object?>>(message.Value);
        Assert.Equal(2, map.Count);
        Assert.Equal("value", map["key"]);
        Assert.Equal(1L, map["n"]);
    }

    [Fact]
    public void Decode_BinaryIdWithSequenceBody_DecodesList()
    {
        var vector = Single(Encodings, "A0020102", "C>S");
        var message = AmqpMessage.Decode(vector.Payload);
        Assert.Equal([1, 2], Assert.IsType<byte[]>(message.Properties!.MessageId));
        var section = Assert.Single(message.Sequence!);
        Assert.Equal(new object?[] { 1L, "two", 3.5 }, section);
        Assert.False(message.HasValue);
        Assert.Null(message.BodyBytes);
    }

    [Fact]
    public void Decode_BatchMessages_HaveStringIdsAndValues()
    {
        for (var i = 1; i <= 3; i++)
        {
            var raw = "A107" + Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes($"batch-{i}"));
            foreach (var direction in new[] { "C>S", "S>C" })
            {
                var message = AmqpMessage.Decode(Single(Encodings, raw, direction).Payload);
                Assert.Equal($"batch-{i}", message.Properties!.MessageId);
                Assert.Equal($"b{i}", message.Value);
            }
        }
    }

    [Fact]
    public void RouterForwarding_EveryMessage_OnlyMessageAnnotationsChange()
    {
        var sent = VectorMessages.Load(Encodings).Where(m => m.Direction == "C>S").ToList();
        var forwarded = VectorMessages.Load(Encodings).Where(m => m.Direction == "S>C").ToList();
        Assert.Equal(7, sent.Count);
        Assert.Equal(7, forwarded.Count);
        using var buffer = new AmqpBuffer();
        for (var i = 0; i < sent.Count; i++)
        {
            var proton = new MessageReader(sent[i].Payload);
            var router = new MessageReader(forwarded[i].Payload);
            Assert.True(proton.HeaderSection.SequenceEqual(router.HeaderSection));
            Assert.True(proton.DeliveryAnnotationsSection.SequenceEqual(router.DeliveryAnnotationsSection));
            Assert.True(proton.PropertiesSection.SequenceEqual(router.PropertiesSection));
            Assert.True(proton.ApplicationPropertiesSection.SequenceEqual(router.ApplicationPropertiesSection));
            Assert.True(proton.BodySection.SequenceEqual(router.BodySection));
            MessageAssert.Equal(AmqpMessage.Decode(proton.MessageAnnotationsSection), AmqpMessage.Decode(router.MessageAnnotationsSection));

            // Doing what the router did with our rewriter reproduces its bytes exactly.
            buffer.Reset();
            MessageRewriter.ReplaceMessageAnnotations(buffer, sent[i].Payload, router.MessageAnnotationsSection);
            Assert.Equal(Convert.ToHexString(forwarded[i].Payload), Convert.ToHexString(buffer.WrittenSpan));
        }
    }

    [Fact]
    public void RouterForwarding_MessageAnnotations_Map32BecomesMap8()
    {
        var proton = new MessageReader(Single(Encodings, "A105612D737472", "C>S").Payload);
        var router = new MessageReader(Single(Encodings, "A105612D737472", "S>C").Payload);
        Assert.Equal(0xd1, proton.MessageAnnotationsSection[3]);
        Assert.Equal(0xc1, router.MessageAnnotationsSection[3]);

        // Our encoder picks the smallest width, as the router does.
        var decoded = AmqpMessage.Decode(proton.MessageAnnotationsSection);
        Assert.Equal(Convert.ToHexString(router.MessageAnnotationsSection), Convert.ToHexString(decoded.ToArray()));
    }
}
