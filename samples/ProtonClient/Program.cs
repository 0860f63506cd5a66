using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProtonClient;
using TwoSites.Contracts;
using Van;

// A .NET process serving IOrders at "orders" on a Van node that listens on 127.0.0.1 (a free port), and a Qpid Proton
// python client (orders_client.py) calling it through that listener: once with a good order (the JSON receipt comes
// back), once with a bad one (the handler throws; the request is rejected with van:service-error).
// Exit code: the good call's, or 1 if the bad one was not rejected. Without Debian's python3-qpid-proton it says how to
// install it and exits 0.
const string Python = "/usr/bin/python3";
var script = Path.Combine(AppContext.BaseDirectory, "orders_client.py");

if (await MissingProtonAsync() is { } reason)
{
    Console.WriteLine($"skipped: {reason}; install it with `sudo apt-get install -y python3-qpid-proton` (Debian/Ubuntu).");
    return 0;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.SetMinimumLevel(LogLevel.Warning);

// The second call's handler failure is on purpose; Van would log it as a warning with its stack trace.
builder.Logging.AddFilter("Van.Hosting", LogLevel.Error);
builder.Services.AddVirtualNetwork(builder.Configuration.GetSection(VanOptions.SectionName), options =>
{
    options.Site = "lab";
    if (options.Listeners.Count == 0)
    {
        options.Listeners.Add("127.0.0.1:0");
    }
})
    .AddService<IOrders, OrdersService>("orders");

using var host = builder.Build();
await host.StartAsync();
var node = host.Services.GetRequiredService<IVanNode>();
var listener = $"127.0.0.1:{node.ListenEndpoints[0].Port}";
Console.WriteLine($"node '{node.NodeId}' serves 'orders' (IOrders), listening on {listener}");

var placed = await RunClientAsync(listener);
var rejected = await RunClientAsync(listener, "--id", "proton-2", "--item", "espresso", "--quantity", "0");
await host.StopAsync();

if (placed != 0)
{
    return placed;
}

if (rejected == 0)
{
    Console.WriteLine("unexpected: the order for 0 items was not rejected");
    return 1;
}

Console.WriteLine("ok: the Proton client placed an order with the .NET service, and saw the bad one rejected.");
return 0;

async Task<int> RunClientAsync(string target, params string[] extra)
{
    Console.WriteLine($"$ python3 orders_client.py {target} {string.Join(' ', extra)}".TrimEnd());
    var (exitCode, output) = await RunAsync(Python, ["-u", script, target, .. extra], TimeSpan.FromSeconds(60));
    foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        Console.WriteLine($"  {line}");
    }

    Console.WriteLine($"  (exit code {exitCode})");
    return exitCode;
}

static async Task<string?> MissingProtonAsync()
{
    if (!File.Exists(Python))
    {
        return $"{Python} is not installed";
    }

    var (exitCode, _) = await RunAsync(Python, ["-c", "import proton"], TimeSpan.FromSeconds(30));
    return exitCode == 0 ? null : $"python3-qpid-proton is not importable by {Python}";
}

static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, TimeSpan deadline)
{
    var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var argument in arguments)
    {
        info.ArgumentList.Add(argument);
    }

    using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    using var timeout = new CancellationTokenSource(deadline);
    try
    {
        await process.WaitForExitAsync(timeout.Token);
    }
    catch (OperationCanceledException)
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
        return (-1, $"{await stdout}{await stderr}(killed after {deadline.TotalSeconds:0} s)");
    }

    return (process.ExitCode, await stdout + await stderr);
}
