using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Transport;
using Microsoft.Extensions.Logging;
using Van.Routing;
using Van.Routing.Benchmarks;

// Convergence of a whole network of nodes (engine, control links, protocol) on in-memory transports: how long until
// every node knows every node and address, how many control messages that took, and what a node costs in memory.
//   dotnet run -c Release --project benchmarks/Van.Routing.Benchmarks -- [--nodes 1000] [--extra N] [--seed S] [--hello MS]
// and the message path through 0, 1 and 2 hops over TCP:
//   dotnet run -c Release --project benchmarks/Van.Routing.Benchmarks -- --forward [--messages N] [--body BYTES]
// and BenchmarkDotNet micro-benchmarks of the message path (in process; any BenchmarkDotNet arguments after --bdn):
//   dotnet run -c Release --project benchmarks/Van.Routing.Benchmarks -- --bdn [--filter *Transit*] [--job short]
// and a quick check that a transit node allocates nothing per forwarded message (exit code 1 when it does):
//   dotnet run -c Release --project benchmarks/Van.Routing.Benchmarks -- --transit-check [--messages N] [--body BYTES] [--max-bytes B]
if (args.Length > 0 && args[0] == "--bdn")
{
    string[] bdnArgs = [.. args.Skip(1)];
    if (!bdnArgs.Contains("--inProcess"))
    {
        // The in-process toolchain runs the benchmarks in this process, as built: no generated project is compiled.
        bdnArgs = [.. bdnArgs, "--inProcess"];
    }

    BenchmarkSwitcher.FromAssembly(typeof(ForwardBenchmark).Assembly).Run(bdnArgs);
    return 0;
}

if (args.Contains("--transit-check"))
{
    return TransitCheck.Run(Arg("--messages", 100_000), Arg("--body", 256), Arg("--max-bytes", 8));
}

if (args.Contains("--forward"))
{
    return await ForwardBenchmark.RunAsync(Arg("--messages", 100_000), Arg("--body", 256), Arg("--window", 200));
}

var nodes = Arg("--nodes", 1000);
var extra = Arg("--extra", nodes / 2);
var seed = Arg("--seed", 1);
// Every node of the network shares this process's cores, so a node can go unscheduled for seconds while the flood
// runs: with the default 1 s HELLO, busy neighbours would be declared dead and the flood would churn. Real nodes are
// separate processes; here liveness gets a long interval unless --hello says otherwise.
var hello = TimeSpan.FromMilliseconds(Arg("--hello", 30_000));
var recompute = TimeSpan.FromMilliseconds(Arg("--recompute", 20));
using var loggerFactory = args.Contains("--log")
    ? Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Information))
    : null;
var random = new Random(seed);

GC.Collect();
GC.WaitForPendingFinalizers();
var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
var stopwatch = Stopwatch.StartNew();
var routers = new VanRouter[nodes];
for (var i = 0; i < nodes; i++)
{
    var options = new VanRouterOptions { NodeId = $"n{i}", HelloInterval = hello, RecomputeInterval = recompute, LoggerFactory = loggerFactory, ReconnectMinDelay = TimeSpan.FromMilliseconds(50), ReconnectMaxDelay = TimeSpan.FromSeconds(1) };
    routers[i] = new VanRouter(options);
    await routers[i].StartAsync();
    routers[i].AddLocalService($"svc-{i}", (_, _) => ValueTask.FromResult<DeliveryState>(Accepted.Instance));
}

var edges = 0;
foreach (var (from, to, cost) in RandomGraph.Create(nodes, extra, random))
{
    var target = routers[to];
    routers[from].AddConnector($"n{from}->n{to}", ct =>
    {
        var (client, server) = InMemoryTransport.CreatePair();
        _ = target.AcceptAsync(server, cost);
        return ValueTask.FromResult<AmqpTransport>(client);
    }, cost);
    edges++;
}

Console.WriteLine($"{nodes} nodes, {edges} links (seed {seed}): started in {stopwatch.ElapsedMilliseconds} ms");
var deadline = TimeSpan.FromMinutes(10);
var lastReport = TimeSpan.Zero;
while (!routers.All(r => r.Snapshot.ReachableNodes.Count == nodes - 1 && r.Snapshot.Addresses.Count == nodes - 1))
{
    if (stopwatch.Elapsed > deadline)
    {
        var done = routers.Count(r => r.Snapshot.ReachableNodes.Count == nodes - 1 && r.Snapshot.Addresses.Count == nodes - 1);
        Console.WriteLine($"not converged after {deadline}: {done}/{nodes} nodes complete");
        return 1;
    }

    await Task.Delay(50);
    if (stopwatch.Elapsed - lastReport > TimeSpan.FromSeconds(10))
    {
        lastReport = stopwatch.Elapsed;
        var complete = routers.Count(r => r.Snapshot.ReachableNodes.Count == nodes - 1 && r.Snapshot.Addresses.Count == nodes - 1);
        var reachable = routers.Average(r => r.Snapshot.ReachableNodes.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {stopwatch.Elapsed.TotalSeconds:0} s: {complete}/{nodes} nodes complete, {reachable:0} reachable on average, {routers.Sum(r => r.ControlMessagesSent)} control messages"));
    }
}

var converged = stopwatch.Elapsed;
var messages = routers.Sum(r => r.ControlMessagesSent);
var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);

// One request across the network proves the tables route.
var probe = AmqpMessage.Create("probe");
probe.Properties = new Properties { To = $"svc-{nodes - 1}" };
var outcome = await routers[0].SendAsync(probe.ToArray()).WaitAsync(TimeSpan.FromSeconds(30));

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"converged in {converged.TotalSeconds:0.00} s; {messages} control messages ({messages / (double)nodes:0} per node); " +
    $"managed heap {(memoryAfter - memoryBefore) / 1024.0 / nodes:0} KiB per node; working set {Environment.WorkingSet / 1024.0 / 1024:0} MiB; probe {outcome.GetType().Name}"));
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
await Task.WhenAll(routers.Select(r => r.DisposeAsync().AsTask())).WaitAsync(stop.Token);
return outcome is Accepted ? 0 : 1;

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
