using System.Collections.Concurrent;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Routing.Internal;

namespace Van.Routing.Tests.Network;

/// <summary>An echo whose requests wait on a gate the test opens: load held without sleeping.</summary>
internal sealed class GatedEcho
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _received;

    public GatedEcho(VanRouter node, string address, int capacity, bool open = false)
    {
        if (open)
        {
            Open();
        }

        var properties = new Dictionary<string, object?> { [EchoService.NodeProperty] = node.NodeId };
        Registration = node.AddLocalService(address, async (message, ct) =>
        {
            Interlocked.Increment(ref _received);
            var reply = RequestReply.Build(message.Span, properties, new MessageReader(message.Span).BodySection);
            await _gate.Task.WaitAsync(ct);
            if (reply is not null)
            {
                _ = node.SendAsync(reply, ct);
            }

            return Accepted.Instance;
        }, capacity);
    }

    public IDisposable Registration { get; }

    public int Received => Volatile.Read(ref _received);

    public void Open() => _gate.TrySetResult();
}

/// <summary>Counts what a multicast address delivers on one node.</summary>
internal sealed class Counter
{
    public ConcurrentBag<string> Bodies { get; } = [];

    public Counter(VanRouter node, string address) =>
        node.AddLocalService(address, (message, _) =>
        {
            Bodies.Add((string)AmqpMessage.Decode(message.Span).Value!);
            return ValueTask.FromResult<DeliveryState>(Accepted.Instance);
        });
}
