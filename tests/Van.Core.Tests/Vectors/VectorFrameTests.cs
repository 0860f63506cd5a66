using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Tests.Amqp.Framing;

namespace Van.Core.Tests.Vectors;

/// <summary>
/// Every record of every vector file: protocol headers are recognised; every frame decodes with
/// <see cref="FrameCodec.ReadFrameBody"/> to what its typed annotation says (type, descriptor, every field on
/// the wire, defaults for the rest), transfers carry the payload their size implies, and re-encoding gives a
/// frame that decodes to an equal performative.
/// </summary>
public partial class VectorFrameTests
{
    /// <summary>The max-frame-size qdrouterd advertised in every capture.</summary>
    private const int RouterMaxFrameSize = 16384;

    public static TheoryData<string, int> Records()
    {
        var data = new TheoryData<string, int>();
        foreach (var r in VectorFile.All())
        {
            data.Add(r.File, r.Line);
        }

        return data;
    }

    private static VectorRecord Find(string file, int line) => VectorFile.Load(file).Single(r => r.Line == line);

    [Fact]
    public void Files_AllSix_HaveRecords()
    {
        foreach (var name in VectorFile.Names)
        {
            var records = VectorFile.Load(name);
            Assert.Contains(records, r => r.IsFrame);
            Assert.Contains(records, r => r.IsProtocolHeader);
        }

        // Counted from the files with awk; a parser that skipped records would miss these.
        Assert.Equal(244, VectorFile.All().Count(r => r.IsFrame));
        Assert.Equal(66, VectorFile.All().Count(r => r.IsProtocolHeader));
        Assert.Equal(1, VectorFile.All().Count(r => r.IsNotAmqp));
        Assert.All(VectorFile.All().Where(r => !r.IsNotAmqp), r => Assert.NotNull(r.Annotation));
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void Record_Decoded_MatchesAnnotation(string file, int line)
    {
        var record = Find(file, line);
        if (record.IsProtocolHeader)
        {
            CheckProtocolHeader(record);
        }
        else if (record.IsNotAmqp)
        {
            // Foreign bytes (an HTTP request) read as a frame: its "size" is nonsense and must be refused.
            Assert.Null(record.Annotation);
            Assert.Throws<AmqpDecodeException>(() => FrameCodec.ReadFrameBody(record.Bytes, out _, out _, out _));
        }
        else
        {
            CheckFrame(record);
        }
    }

    [GeneratedRegex(@"^protocol header: b'.*' \(protocol-id (\d+), version (\d+)\.(\d+)\.(\d+)\)$")]
    private static partial Regex ProtocolHeaderAnnotation();

    private static void CheckProtocolHeader(VectorRecord record)
    {
        Assert.NotNull(record.Annotation);
        var m = ProtocolHeaderAnnotation().Match(record.Annotation);
        Assert.True(m.Success, record.Annotation);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(byte.Parse(m.Groups[i + 1].Value, CultureInfo.InvariantCulture), record.Bytes[4 + i]);
        }

        // A header is not a frame: read as one, its size field ("AMQP") disagrees with its length.
        Assert.Throws<AmqpDecodeException>(() => FrameCodec.ReadFrameBody(record.Bytes, out _, out _, out _));
    }

    private static void CheckFrame(VectorRecord record)
    {
        Assert.True(record.Annotation is not null, $"{record}: a frame without a '#=' annotation");
        var annotation = FrameAnnotation.Parse(record.Annotation);
        Assert.Equal(annotation.Size, record.Bytes.Length);
        Assert.Equal(annotation.Size, (int)BinaryPrimitives.ReadUInt32BigEndian(record.Bytes));

        var performative = FrameCodec.ReadFrameBody(record.Bytes, out var type, out var channel, out var payload);
        Assert.Equal(annotation.Type == "SASL" ? FrameCodec.TypeSasl : FrameCodec.TypeAmqp, type);
        Assert.Equal(annotation.Channel, channel);
        Assert.Equal(annotation.DataOffset, record.Bytes[4]);

        if (annotation.Body is null)
        {
            Assert.Null(performative);
            Assert.Equal(FrameCodec.HeaderSize, record.Bytes.Length);
            return;
        }

        Assert.NotNull(performative);
        AnnotationMatcher.Match(performative, annotation.Body, annotation.Body.Name);

        // The payload is what the frame size leaves after the header and the performative.
        var performativeLength = PerformativeLength(record.Bytes, annotation.DataOffset * 4);
        Assert.Equal(record.Bytes.Length - (annotation.DataOffset * 4) - performativeLength, payload.Length);
        Assert.Equal(annotation.PayloadBytes ?? 0, payload.Length);
        if (annotation.PayloadNote?.StartsWith("<undecodable", StringComparison.Ordinal) == true)
        {
            CheckDeliberatelyBroken(record, performative, payload.ToArray());
        }

        // Re-encode the performative alone, and the whole frame: both must decode to an equal performative.
        var reencoded = FramingAssert.Decode(FramingAssert.Encode(performative));
        FramingAssert.Equal(performative, reencoded);
        using var buffer = new AmqpBuffer();
        FrameCodec.WriteFrame(buffer, type, channel, performative, payload);
        var again = FrameCodec.ReadFrameBody(buffer.WrittenSpan, out var type2, out var channel2, out var payload2);
        FramingAssert.Equal(performative, again);
        Assert.Equal(type, type2);
        Assert.Equal(channel, channel2);
        Assert.True(payload.SequenceEqual(payload2));
        AnnotationMatcher.Match(again, annotation.Body, "re-encoded " + annotation.Body.Name);
    }

    /// <summary>
    /// 06's oversize frame: a valid begin followed by zero padding, 20002 bytes against the router's 16384. The
    /// frame is refused for its size, and the padding is not AMQP (zeros nest described types without end).
    /// </summary>
    private static void CheckDeliberatelyBroken(VectorRecord record, Performative performative, byte[] payload)
    {
        Assert.IsType<Begin>(performative);
        Assert.True(record.Bytes.Length > RouterMaxFrameSize, $"{record}: expected a frame over {RouterMaxFrameSize} bytes");
        Assert.All(payload, b => Assert.Equal(0, b));
        Assert.Throws<AmqpDecodeException>(() =>
        {
            var reader = new AmqpReader(payload);
            _ = reader.ReadObject();
        });
    }

    private static int PerformativeLength(byte[] frame, int bodyOffset)
    {
        var reader = new AmqpReader(frame.AsSpan(bodyOffset));
        reader.SkipValue();
        return reader.Position;
    }
}
