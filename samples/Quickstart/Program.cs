using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quickstart;
using Van;

// Three separate hosts in this process, each with its own Van node, linked over real TCP on 127.0.0.1:
//
//   site "onprem":  frontend ──cost 1──  orders-0  (4 at a time)
//                      │
//   site "cloud":      └─────cost 10──  orders-1  (64 at a time)
//
// The frontend only knows the name "orders"; the network picks the instance.
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
var ct = stop.Token;
var failures = new List<string>();

Section("Starting three hosts: frontend, orders-0 (onprem), orders-1 (cloud, behind a cost-10 link)");
var frontend = await StartAsync("frontend", "onprem", link: null, cost: 0, serve: false, ct);
var port = frontend.Services.GetRequiredService<IVanNode>().ListenEndpoints[0].Port;
var orders0 = await StartAsync("orders-0", "onprem", port, cost: 1, serve: true, ct);
var orders1 = await StartAsync("orders-1", "cloud", port, cost: 10, serve: true, ct);
var client = frontend.Services.GetRequiredService<IVanClient>();
await client.WaitForServiceAsync("orders", instances: 2, ct);
Console.WriteLine($"  frontend listens on 127.0.0.1:{port}; it sees 'orders' on: {string.Join(", ", client.NodesServing("orders"))}");
var orders = client.CreateProxy<IOrders>("orders");
var nextId = 0;
await orders.PlaceAsync(new Order(0, "warm-up", 0), ct); // the first call pays for JIT compilation; not worth showing

Section("1. Calls go to the closest instance: orders-0, same site, cost 1");
var first = new List<Receipt>();
for (var i = 0; i < 5; i++)
{
    var watch = Stopwatch.StartNew();
    var receipt = await orders.PlaceAsync(new Order(++nextId, "book", 0), ct);
    first.Add(receipt);
    Console.WriteLine($"  order {receipt.OrderId,3}  ->  {receipt.Node,-9} ({receipt.Site,-6})  {watch.Elapsed.TotalMilliseconds,7:0.0} ms");
}

Check(first.All(r => r.Node == "orders-0"), "step 1: every call answered by orders-0");

Section("2. A burst of 24 slow calls (200 ms each): orders-0 takes 4 at a time, the rest overflow to the cloud");
var burst = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => orders.PlaceAsync(new Order(Interlocked.Increment(ref nextId), "lamp", 200), ct)));
Bars(burst);
var after = await orders.PlaceAsync(new Order(++nextId, "book", 0), ct);
Console.WriteLine($"  demand falls: the next call is answered by {after.Node} again");
Check(burst.Any(r => r.Node == "orders-1") && burst.Any(r => r.Node == "orders-0"), "step 2: the burst overflowed to orders-1");
Check(after.Node == "orders-0", "step 2: traffic came back to orders-0");

Section("3. orders-0 stops while 4 callers keep calling: they fail over to the cloud, nothing is lost");
var timeline = new System.Collections.Concurrent.ConcurrentQueue<(long At, string Node)>();
var lost = 0;
var stopped = false;
var clock = Stopwatch.StartNew();
async Task CallerAsync()
{
    // Each caller keeps calling until orders-0 has been gone for a while.
    while (!Volatile.Read(ref stopped) || timeline.Count(t => t.Node == "orders-1") < 40)
    {
        try
        {
            var r = await orders.PlaceAsync(new Order(Interlocked.Increment(ref nextId), "pen", 20), ct);
            timeline.Enqueue((clock.ElapsedMilliseconds, r.Node));
        }
        catch (VanException e)
        {
            Interlocked.Increment(ref lost);
            Console.WriteLine($"  call failed: {e.GetType().Name}: {e.Message}");
        }
    }
}

var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(CallerAsync, ct)).ToArray();
while (timeline.Count < 40)
{
    await Task.Delay(10, ct);
}

var stoppedAt = clock.ElapsedMilliseconds;
Console.WriteLine($"  {timeline.Count} calls answered so far; stopping orders-0 (it withdraws 'orders', drains its running calls, leaves)...");
await orders0.StopAsync(ct);
orders0.Dispose();
Console.WriteLine($"  orders-0 stopped after {clock.ElapsedMilliseconds - stoppedAt} ms");
Volatile.Write(ref stopped, true);
await Task.WhenAll(callers);
var calls = timeline.ToArray();
var before = calls.Count(c => c.At < stoppedAt);
Console.WriteLine($"  answered calls in order (0 = orders-0, 1 = orders-1, | = orders-0 told to stop):");
var marks = string.Concat(calls.Select(c => c.Node == "orders-0" ? "0" : "1"));
Console.WriteLine($"  {marks[..before]}|{marks[before..]}");
Console.WriteLine($"  {calls.Length} calls, {calls.Length} answered, {lost} failed; last answered by {calls[^1].Node}");
Check(lost == 0, "step 3: no call failed while orders-0 stopped");
Check(calls[^1].Node == "orders-1", "step 3: calls failed over to orders-1");

Section("4. orders-0 comes back (a new process, same node id): traffic returns to it");
orders0 = await StartAsync("orders-0", "onprem", port, cost: 1, serve: true, ct);
await client.WaitForServiceAsync("orders", instances: 2, ct);
var back = await orders.PlaceAsync(new Order(++nextId, "book", 0), ct);
Console.WriteLine($"  order {back.OrderId,3}  ->  {back.Node} ({back.Site})");
Check(back.Node == "orders-0", "step 4: orders-0 serves again");

Section("5. A service nobody runs fails fast, with the reason");
var noRoute = Stopwatch.StartNew();
try
{
    await client.RequestAsync<Order, Receipt>("payments", new Order(0, "x", 0), cancellationToken: ct);
    Check(false, "step 5: 'payments' should have no route");
}
catch (VanNoRouteException e)
{
    Console.WriteLine($"  {e.GetType().Name} after {noRoute.Elapsed.TotalMilliseconds:0.0} ms: {e.Message}");
}

foreach (var host in new[] { orders0, orders1, frontend })
{
    await host.StopAsync(ct);
    host.Dispose();
}

Console.WriteLine();
Console.WriteLine(failures.Count == 0 ? "Done: every step behaved as described." : $"Done, but {failures.Count} step(s) did not behave: {string.Join("; ", failures)}");
return failures.Count == 0 ? 0 : 1;

void Check(bool ok, string what)
{
    if (!ok)
    {
        failures.Add(what);
        Console.WriteLine($"  !! not as expected: {what}");
    }
}

static void Section(string title)
{
    Console.WriteLine();
    Console.WriteLine(title);
}

static void Bars(Receipt[] receipts)
{
    foreach (var group in receipts.GroupBy(r => r.Node).OrderBy(g => g.Key))
    {
        Console.WriteLine($"  {group.Key,-9} {new string('#', group.Count()),-24} {group.Count(),2} calls");
    }
}

static async Task<IHost> StartAsync(string nodeId, string site, int? link, int cost, bool serve, CancellationToken cancellationToken)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    var van = builder.Services.AddVirtualNetwork(o =>
    {
        o.NodeId = nodeId;
        o.Site = site;
        if (link is { } port)
        {
            o.Links.Add(new VanLinkOptions { Url = $"127.0.0.1:{port}", Cost = cost });
        }
        else
        {
            o.Listeners.Add("127.0.0.1:0");
        }

        o.Services["orders"] = new VanServiceOptions { MaxConcurrency = nodeId == "orders-0" ? 4 : 64 };
    });
    if (serve)
    {
        van.AddService<IOrders, OrdersService>("orders");
    }

    var host = builder.Build();
    await host.StartAsync(cancellationToken);
    return host;
}
