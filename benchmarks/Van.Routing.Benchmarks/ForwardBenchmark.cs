using System.Diagnostics;
using System.Globalization;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Transport;

namespace Van.Routing.Benchmarks;

/// <summary>
/// Throughput and allocation of the message path over real TCP: a producer client on the first node of a chain, a
/// consumer client on the last, unsettled messages pipelined, for 0, 1 and 2 inter-node hops.
/// </summary>
internal static class ForwardBenchmark
{
    public static async Task<int> RunAsync(int messages, int bodySize, int window)
    {
        Console.WriteLine($"forwarding {messages} messages of {bodySize} bytes, {window} in flight, over TCP on 127.0.0.1");
        double? baseline = null;
        foreach (var hops in new[] { 0, 1, 2 })
        {
            var (rate, bytesPerMessage) = await MeasureAsync(hops, messages, bodySize, window);
            baseline ??= rate;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {hops} hop(s): {rate,9:0} msg/s ({rate / baseline.Value:0.00}x of 0 hops), {bytesPerMessage,6:0} bytes allocated per message (all nodes and both clients)"));
        }

        return 0;
    }

    private static async Task<(double Rate, double BytesPerMessage)> MeasureAsync(int hops, int messages, int bodySize, int window)
    {
        var nodes = new List<VanRouter>();
        try
        {
            for (var i = 0; i <= hops; i++)
            {
                var options = new VanRouterOptions { NodeId = $"f{i}" };
                options.Listeners.Add(VanEndpoint.Parse("127.0.0.1:0"));
                if (i > 0)
                {
                    options.Connectors.Add(VanEndpoint.Parse($"127.0.0.1:{nodes[i - 1].ListenEndpoints[0].Port}"));
                }

                var node = new VanRouter(options);
                await node.StartAsync();
                nodes.Add(node);
            }

            var consumerSession = await SessionAsync(nodes[^1]);
            var consumer = await consumerSession.OpenReceiverAsync("c", "bench", credit: (uint)window * 2);
            var received = 0;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            consumer.SetDeliveryHandler(d =>
            {
                consumer.Accept(d);
                if (Interlocked.Increment(ref received) == messages)
                {
                    done.TrySetResult();
                }
            });
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (nodes[0].NodesServing("bench").Count == 0)
            {
                await Task.Delay(10, deadline.Token);
            }

            var producer = await (await SessionAsync(nodes[0])).OpenSenderAsync("p", "bench");
            var message = AmqpMessage.CreateData(new byte[bodySize]);
            message.Properties = new Properties { To = "bench" };
            var payload = message.ToArray();

            // Warm up, then measure.
            await SendAsync(producer, payload, Math.Min(messages / 10, 2000), window);
            received = 0;
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var stopwatch = Stopwatch.StartNew();
            await SendAsync(producer, payload, messages, window);
            await done.Task.WaitAsync(deadline.Token);
            var elapsed = stopwatch.Elapsed;
            var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            return (messages / elapsed.TotalSeconds, bytes / (double)messages);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static async Task SendAsync(SenderLink producer, byte[] payload, int count, int window)
    {
        var inFlight = new Queue<Task<DeliveryState?>>();
        for (var i = 0; i < count; i++)
        {
            if (inFlight.Count >= window)
            {
                var outcome = await inFlight.Dequeue();
                if (outcome is not Accepted)
                {
                    throw new InvalidOperationException($"Message not accepted: {outcome}");
                }
            }

            inFlight.Enqueue(producer.SendAsync(payload));
        }

        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue();
        }
    }

    private static async Task<AmqpSession> SessionAsync(VanRouter node)
    {
        var endpoint = node.ListenEndpoints[0];
        var transport = await AmqpConnector.ConnectAsync("127.0.0.1", endpoint.Port);
        var connection = await AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions());
        return await connection.BeginSessionAsync();
    }
}
