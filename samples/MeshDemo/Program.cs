using System.Collections.Concurrent;
using System.Diagnostics;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Routing;

// A small Van network on real TCP sockets, in one process: four nodes, two instances of "orders" at different costs.
//
//   web ──1── hub ──1── onprem  ("orders", capacity 2)
//              └───10── cloud   ("orders", capacity 100)
//
// It shows routing by cost, fast "no route", a Proton (python) client calling through the network, overflow to the
// expensive tier under load and back, and failover when the cheap site goes away.
Console.WriteLine("Starting nodes web, hub, onprem, cloud on 127.0.0.1 (ports picked by the OS)...");
var hub = await StartAsync("hub", listen: true);
var port = hub.ListenEndpoints[0].Port;
var onprem = await StartAsync("onprem", connect: $"127.0.0.1:{port},cost=1");
var cloud = await StartAsync("cloud", connect: $"127.0.0.1:{port},cost=10");
var web = await StartAsync("web", listen: true, connect: $"127.0.0.1:{port}");
var onpremOrders = Orders(onprem, capacity: 2);
var cloudOrders = Orders(cloud, capacity: 100);

var caller = new Caller(web);
await WaitAsync(() => caller.KnowsBoth("orders"), "web to learn both instances of 'orders'");
Console.WriteLine($"web sees 'orders' on: {string.Join(", ", web.NodesServing("orders"))}");

Console.WriteLine("\n1. Five calls from web: the cheapest instance answers.");
for (var i = 0; i < 5; i++)
{
    Console.WriteLine($"   order-{i} -> answered by {await caller.CallAsync("orders", $"order-{i}")}");
}

Console.WriteLine("\n2. A call to a service nobody runs fails at once, with a reason.");
var watch = Stopwatch.StartNew();
var outcome = await caller.SendOnlyAsync("payments", "x");
Console.WriteLine($"   {Describe(outcome)} after {watch.Elapsed.TotalMilliseconds:0.0} ms");

Console.WriteLine("\n3. A Qpid Proton (python) client connects to web's listener and calls 'orders'.");
Console.WriteLine($"   {await ProtonAsync(web.ListenEndpoints[0].Port)}");

Console.WriteLine("\n4. A burst of 8 slow calls: onprem takes 2 at a time, the rest overflow to cloud; then traffic comes back.");
onpremOrders.Delay = cloudOrders.Delay = TimeSpan.FromMilliseconds(300);
var burst = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => caller.CallAsync("orders", $"burst-{i}")));
Console.WriteLine($"   burst answered by: {string.Join(", ", burst.GroupBy(n => n).Select(g => $"{g.Key} x{g.Count()}"))}");
onpremOrders.Delay = cloudOrders.Delay = TimeSpan.Zero;
Console.WriteLine($"   next call answered by {await caller.CallAsync("orders", "after-burst")}");

Console.WriteLine("\n5. The onprem node goes away: calls fail over to cloud.");
await onprem.DisposeAsync();
watch.Restart();
var answeredBy = await caller.CallAsync("orders", "after-failover");
Console.WriteLine($"   answered by {answeredBy} ({watch.Elapsed.TotalMilliseconds:0} ms after onprem stopped)");

Console.WriteLine("\nDone. `van node`, `van request` and `van status` run the same nodes as separate processes (see README).");
foreach (var node in new[] { web, cloud, hub })
{
    await node.DisposeAsync();
}

return answeredBy == "cloud" ? 0 : 1;

static async Task<VanRouter> StartAsync(string id, bool listen = false, string? connect = null)
{
    var options = new VanRouterOptions { NodeId = id };
    if (listen)
    {
        options.Listeners.Add(VanEndpoint.Parse("127.0.0.1:0"));
    }

    if (connect is not null)
    {
        options.Connectors.Add(VanEndpoint.Parse(connect));
    }

    var node = new VanRouter(options);
    await node.StartAsync();
    return node;
}

static async Task WaitAsync(Func<bool> condition, string what)
{
    using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    while (!condition())
    {
        await Task.Delay(20, deadline.Token).ConfigureAwait(false);
    }

    Console.WriteLine($"   ({what}: done)");
}

static string Describe(DeliveryState state) => state switch
{
    Rejected r => $"rejected: {r.Error?.Condition} — {r.Error?.Description}",
    _ => state.GetType().Name.ToLowerInvariant(),
};

static async Task<string> ProtonAsync(int port)
{
    const string python = "/usr/bin/python3";
    if (!File.Exists(python))
    {
        return "(skipped: /usr/bin/python3 not found; `sudo apt-get install python3-qpid-proton`)";
    }

    var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "van_request.py"), $"127.0.0.1:{port}", "orders", "from proton", "proton-1", "10" })
    {
        info.ArgumentList.Add(arg);
    }

    using var process = Process.Start(info)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var error = process.StandardError.ReadToEndAsync();
    if (!process.WaitForExit(30_000))
    {
        process.Kill(entireProcessTree: true);
        return "(proton client timed out)";
    }

    var text = (await output).Trim();
    return text.Length > 0 ? $"proton got: {text}"
        : (await error).Contains("No module named 'proton'", StringComparison.Ordinal)
            ? "(skipped: python3-qpid-proton is not installed; `sudo apt-get install python3-qpid-proton`)"
            : $"(proton client failed: {(await error).Trim()})";
}

static OrdersService Orders(VanRouter node, int capacity) => new(node, capacity);

/// <summary>A service instance: answers each order to its reply-to, naming the node that handled it.</summary>
internal sealed class OrdersService
{
    public OrdersService(VanRouter node, int capacity) =>
        node.AddLocalService("orders", async (message, ct) =>
        {
            var request = AmqpMessage.Decode(message.Span);
            await Task.Delay(Delay, ct);
            var reply = AmqpMessage.Create(request.Value);
            reply.Properties = new Properties { To = request.Properties?.ReplyTo, CorrelationId = request.Properties?.MessageId };
            reply.ApplicationProperties = new() { ["van-node"] = node.NodeId };
            _ = node.SendAsync(reply.ToArray(), ct);
            return Accepted.Instance;
        }, capacity);

    public TimeSpan Delay { get; set; }
}

/// <summary>Request/reply through a node's in-process API (what IVanClient will wrap).</summary>
internal sealed class Caller
{
    private readonly VanRouter _node;
    private readonly string _replyTo;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _pending = new();
    private int _next;

    public Caller(VanRouter node)
    {
        _node = node;
        _replyTo = node.NewReplyAddress();
        node.AddLocalService(_replyTo, (message, _) =>
        {
            var reply = AmqpMessage.Decode(message.Span);
            if (reply.Properties?.CorrelationId is string id && _pending.TryRemove(id, out var done))
            {
                done.TrySetResult((string)reply.ApplicationProperties!["van-node"]!);
            }

            return ValueTask.FromResult<DeliveryState>(Accepted.Instance);
        });
    }

    public bool KnowsBoth(string address) => _node.NodesServing(address).Count == 2;

    public async Task<string> CallAsync(string address, string body)
    {
        var id = $"call-{Interlocked.Increment(ref _next)}";
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = done;
        var outcome = await Send(address, body, id);
        if (outcome is not Accepted)
        {
            _pending.TryRemove(id, out _);
            return $"(failed: {outcome})";
        }

        return await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public Task<DeliveryState> SendOnlyAsync(string address, string body) => Send(address, body, "one-way");

    private Task<DeliveryState> Send(string address, string body, string id)
    {
        var message = AmqpMessage.Create(body);
        message.Properties = new Properties { MessageId = id, To = address, ReplyTo = _replyTo };
        return _node.SendAsync(message.ToArray(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
