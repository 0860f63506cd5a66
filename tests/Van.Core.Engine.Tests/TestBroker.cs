using System.Collections.Concurrent;
using System.Threading.Channels;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests;

/// <summary>
/// A small queueing broker for engine tests: messages sent to an address are accepted into that address's queue;
/// receivers on the address take from it. Dynamic receivers get a fresh queue.
/// </summary>
internal sealed class TestBroker : AmqpConnectionHandler
{
    private readonly ConcurrentDictionary<string, Channel<ReadOnlyMemory<byte>>> _queues = new(StringComparer.Ordinal);

    public uint Credit { get; init; } = 200;

    public int Received;

    public Channel<ReadOnlyMemory<byte>> Queue(string address) =>
        _queues.GetOrAdd(address, _ => Channel.CreateUnbounded<ReadOnlyMemory<byte>>());

    public override void OnLinkAttached(AmqpLink link)
    {
        switch (link)
        {
            case ReceiverLink receiver:
                receiver.SetDeliveryHandler(d =>
                {
                    Interlocked.Increment(ref Received);
                    var address = receiver.Address ?? ReadTo(d.Payload.Span);
                    if (address is null)
                    {
                        receiver.Reject(d, new Error { Condition = ErrorCondition.NotFound, Description = "No address." });
                        return;
                    }

                    Queue(address).Writer.TryWrite(d.Payload);
                    receiver.Accept(d);
                });
                receiver.SetCredit(Credit);
                break;
            case SenderLink sender:
                _ = PumpAsync(sender, Queue(sender.Address ?? "")); 
                break;
        }
    }

    private static string? ReadTo(ReadOnlySpan<byte> message)
    {
        var reader = Van.Core.Amqp.Messaging.MessageReader.Create(message);
        return reader.TryGetTo(out var to) ? System.Text.Encoding.UTF8.GetString(to) : null;
    }

    private static async Task PumpAsync(SenderLink sender, Channel<ReadOnlyMemory<byte>> queue)
    {
        try
        {
            await foreach (var message in queue.Reader.ReadAllAsync())
            {
                var send = sender.SendAsync(message, sender.LocalAttach?.SndSettleMode == SenderSettleMode.Settled);
                // Do not wait for each outcome: pipeline up to the receiver's credit.
                _ = send.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
                if (sender.IsDetached)
                {
                    return;
                }
            }
        }
        catch (AmqpException)
        {
            // The consumer went away.
        }
    }
}
