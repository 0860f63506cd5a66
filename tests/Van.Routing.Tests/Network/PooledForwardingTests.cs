using System.Collections.Concurrent;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Transport;

namespace Van.Routing.Tests.Network;

/// <summary>
/// Nodes reuse a message's record, buffers and deliveries once its outcome has gone upstream: many messages in flight
/// at once, of many sizes, must each keep their own bytes and get their own outcome.
/// </summary>
public class PooledForwardingTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Transit_ManyConcurrentMessagesOfMixedSizes_EachArrivesIntactWithItsOwnOutcome()
    {
        await using var net = new TestNetwork();
        var (a, _, c) = net.Chain();
        var seen = new ConcurrentDictionary<int, int>();
        using var service = c.AddLocalService("check", (message, _) =>
        {
            var decoded = AmqpMessage.Decode(message.Span);
            var id = int.Parse((string)decoded.Properties!.MessageId!, System.Globalization.CultureInfo.InvariantCulture);
            seen.AddOrUpdate(id, 1, (_, n) => n + 1);
            var intact = decoded.Data is [var body] && body.Span.SequenceEqual(Body(id));
            return ValueTask.FromResult<DeliveryState>(intact && id % 3 != 0
                ? Accepted.Instance
                : new Rejected { Error = new Error { Condition = ErrorCondition.NotAllowed, Description = intact ? $"refused {id}" : $"corrupt {id}" } });
        }, capacity: 1000);
        await net.WaitConvergedAsync("check");

        const int count = 400;
        var outcomes = await Task.WhenAll(Enumerable.Range(0, count).Select(id =>
        {
            var message = AmqpMessage.CreateData(Body(id));
            message.Properties = new Properties { To = "check", MessageId = id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            return a.SendAsync(message.ToArray());
        })).WaitAsync(Deadline);

        for (var id = 0; id < count; id++)
        {
            if (id % 3 != 0)
            {
                Assert.True(outcomes[id] is Accepted, $"{id}: {outcomes[id]} {(outcomes[id] as Rejected)?.Error?.Description}");
            }
            else
            {
                Assert.Equal($"refused {id}", Assert.IsType<Rejected>(outcomes[id]).Error!.Description);
            }
        }

        Assert.Equal(count, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task ClientToClient_ThroughATransitNode_EveryMessageOnceStrippedAndAccepted()
    {
        await using var net = new TestNetwork();
        var (a, _, c) = net.Chain();
        var consumerSession = await ConnectClientAsync(c);
        var consumer = await consumerSession.OpenReceiverAsync("c", "q", credit: 50).WaitAsync(Deadline);
        var bodies = new ConcurrentQueue<string>();
        var annotated = 0;
        consumer.SetDeliveryHandler(d =>
        {
            var message = AmqpMessage.Decode(d.Payload.Span);
            bodies.Enqueue((string)message.Value!);
            if (message.MessageAnnotations is { Count: > 0 })
            {
                Interlocked.Increment(ref annotated);
            }

            consumer.Accept(d);
        });
        await net.WaitConvergedAsync("q");
        var producer = await (await ConnectClientAsync(a)).OpenSenderAsync("p", "q").WaitAsync(Deadline);

        const int count = 300;
        var sends = Enumerable.Range(0, count).Select(i =>
        {
            var message = AmqpMessage.Create(new string('x', i * 37 % 3000) + $"#{i}");
            message.Properties = new Properties { To = "q" };
            return producer.SendAsync(message.ToArray());
        }).ToList();
        foreach (var send in sends)
        {
            Assert.IsType<Accepted>(await send.WaitAsync(Deadline));
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"#{i}").Order(), bodies.Select(b => b[b.LastIndexOf('#')..]).Order());
        Assert.Equal(0, annotated);
    }

    /// <summary>A body of a size and content of its own: 1 byte to about 40 KB (some over what a pooled buffer keeps).</summary>
    private static byte[] Body(int id)
    {
        var body = new byte[1 + (id * 997 % 40_000)];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)(id + i);
        }

        return body;
    }

    private static async Task<AmqpSession> ConnectClientAsync(VanRouter node)
    {
        var (client, server) = InMemoryTransport.CreatePair();
        _ = node.AcceptAsync(server);
        var connection = await AmqpConnection.ConnectAsync(client, new AmqpConnectionOptions()).WaitAsync(Deadline);
        return await connection.BeginSessionAsync().WaitAsync(Deadline);
    }
}
