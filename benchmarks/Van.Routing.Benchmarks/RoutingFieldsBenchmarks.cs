using BenchmarkDotNet.Attributes;
using Van.Core.Amqp.Messaging;
using Van.Routing.Internal;

namespace Van.Routing.Benchmarks;

/// <summary>
/// (a) What a node reads of every message it forwards: the routing annotations (<see cref="RoutingHeader"/>), and the
/// <c>to</c> and <c>reply-to</c> properties, from a request that has passed two nodes.
/// </summary>
[MemoryDiagnoser]
public class RoutingFieldsBenchmarks
{
    private readonly RoutingHeader _header = new();
    private readonly StringTable _strings = new();
    private byte[] _message = null!;

    [GlobalSetup]
    public void Setup() => _message = Messages.Transit("orders", "n3", ["n0", "n1"], 256);

    [Benchmark]
    public int ReadRoutingFields()
    {
        // As the router does: one scan of the sections serves the annotations and the properties.
        var reader = new MessageReader(_message);
        _header.Read(reader, _strings);
        reader.TryGetTo(out var to);
        reader.TryGetReplyTo(out var replyTo);
        return _header.Trace.Count + _header.Dest.Count + _header.To!.Length + to.Length + replyTo.Length;
    }
}
