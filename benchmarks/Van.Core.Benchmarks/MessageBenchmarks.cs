using BenchmarkDotNet.Attributes;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Core.Benchmarks;

/// <summary>Encoding, decoding, routing-field reads and annotation rewrites of a typical request message.</summary>
[MemoryDiagnoser]
public class MessageBenchmarks : IDisposable
{
    private readonly AmqpBuffer _buffer = new(1024);
    private AmqpMessage _message = null!;
    private byte[] _encoded = null!;
    private byte[] _annotations = null!;
    private Dictionary<AmqpSymbol, object?> _annotationMap = null!;

    /// <summary>Builds the message, its encoding and the replacement annotations.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _message = Samples.CreateRequest();
        _encoded = Samples.EncodeRequest();
        _annotations = Samples.EncodeAnnotationsSection();
        _annotationMap = new Dictionary<AmqpSymbol, object?>
        {
            ["x-opt-van-ingress"] = "web-1",
            ["x-opt-van-hops"] = 1u,
        };

        // Every routing field must be found, or the benchmark would measure an early exit.
        const int Expected = 6 + 19 + (2 + 6) + (2 + 6) + (2 + 55);
        if (DecodeRoutingFields() != Expected)
        {
            throw new InvalidOperationException($"DecodeRoutingFields returned {DecodeRoutingFields()}, expected {Expected}.");
        }
    }

    /// <summary>The whole message into a reused buffer.</summary>
    [Benchmark]
    public int Encode()
    {
        _buffer.Reset();
        _message.Encode(_buffer);
        return _buffer.Length;
    }

    /// <summary>Every section into a new <see cref="AmqpMessage"/>.</summary>
    [Benchmark]
    public AmqpMessage Decode() => AmqpMessage.Decode(_encoded);

    /// <summary>What a router reads: to, reply-to, the raw ids and the traceparent, as spans over the input.</summary>
    [Benchmark]
    [ZeroAllocation]
    public int DecodeRoutingFields()
    {
        var reader = new MessageReader(_encoded);
        var total = 0;
        if (reader.TryGetTo(out var to))
        {
            total += to.Length;
        }

        if (reader.TryGetReplyTo(out var replyTo))
        {
            total += replyTo.Length;
        }

        if (reader.TryGetMessageIdRaw(out var messageId))
        {
            total += messageId.Length;
        }

        if (reader.TryGetCorrelationIdRaw(out var correlationId))
        {
            total += correlationId.Length;
        }

        if (reader.TryGetApplicationProperty("traceparent", out var traceParent))
        {
            total += traceParent.Length;
        }

        return total;
    }

    /// <summary>Stamps a pre-encoded message-annotations section onto the message, into a reused buffer.</summary>
    [Benchmark]
    [ZeroAllocation]
    public int ReplaceMessageAnnotations()
    {
        _buffer.Reset();
        MessageRewriter.ReplaceMessageAnnotations(_buffer, _encoded, _annotations);
        return _buffer.Length;
    }

    /// <summary>The same rewrite, encoding the annotations from a dictionary.</summary>
    [Benchmark]
    public int ReplaceMessageAnnotationsFromMap()
    {
        _buffer.Reset();
        MessageRewriter.ReplaceMessageAnnotations(_buffer, _encoded, _annotationMap);
        return _buffer.Length;
    }

    /// <summary>Returns the pooled buffer.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _buffer.Dispose();
        GC.SuppressFinalize(this);
    }
}
