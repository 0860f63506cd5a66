using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TwoSites.Contracts;
using Van;

namespace TwoSites.Frontend;

/// <summary>
/// Calls "orders" through a typed proxy, one line per call: the receipt and the node that handled it, or the
/// <see cref="VanException"/> type and message. With <see cref="FrontendOptions.Count"/> it stops the host after that
/// many calls and sets the exit code.
/// </summary>
public sealed class OrderLoop(IVanClient van, HealthCheckService health, IOptions<FrontendOptions> options, IHostApplicationLifetime lifetime) : BackgroundService
{
    private static readonly string[] Items = ["coffee", "tea", "bagel", "croissant", "juice"];

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var orders = van.CreateProxy<IOrders>("orders");
        await WaitForOrdersAsync(settings.WaitForService, stoppingToken);

        var report = await health.CheckHealthAsync(stoppingToken);
        Console.WriteLine($"health: {report.Status}: {string.Join("; ", report.Entries.Select(e => e.Value.Description))}");

        var failures = 0;
        var calls = 0;
        while (settings.Count == 0 || calls < settings.Count)
        {
            calls++;
            var order = new Order(string.Create(CultureInfo.InvariantCulture, $"{van.NodeId}-{calls}"), Items[calls % Items.Length], 1 + (calls % 3));
            var started = Stopwatch.GetTimestamp();
            try
            {
                var receipt = await orders.PlaceOrderAsync(order, stoppingToken);
                Console.WriteLine($"#{calls} {order.Quantity} x {order.Item}: receipt #{receipt.ReceiptNumber} from node '{receipt.HandledBy}' (site '{receipt.Site}') in {Elapsed(started)}");
            }
            catch (VanException e)
            {
                failures++;
                Console.WriteLine($"#{calls} {order.Quantity} x {order.Item}: {e.GetType().Name} after {Elapsed(started)}: {e.Message}");
            }

            if (settings.Count == 0 || calls < settings.Count)
            {
                await Task.Delay(settings.Interval, stoppingToken);
            }
        }

        Console.WriteLine($"{calls} call{(calls == 1 ? "" : "s")}: {calls - failures} succeeded, {failures} failed.");
        Environment.ExitCode = failures == 0 ? 0 : 1;
        lifetime.StopApplication();
    }

    /// <summary>Start-up ordering: give the link and routing a moment to find "orders", then call regardless.</summary>
    private async Task WaitForOrdersAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        Console.WriteLine($"Frontend node '{van.NodeId}' waiting up to {wait.TotalSeconds:0.#} s for a route to 'orders'...");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(wait);
        try
        {
            await van.WaitForServiceAsync("orders", cancellationToken: deadline.Token);
            Console.WriteLine($"'orders' is served by: {string.Join(", ", van.NodesServing("orders"))}");
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            Console.WriteLine("no route to 'orders' yet; calling anyway.");
        }
    }

    private static string Elapsed(long started) =>
        string.Create(CultureInfo.InvariantCulture, $"{Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms");
}
