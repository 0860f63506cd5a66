using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TwoSites.Backend;
using TwoSites.Contracts;
using Van;

// The "cloud" site: a Van node listening for other nodes (appsettings.json: Van:Listeners) that serves IOrders at
// "orders". Every setting is configuration: override it with environment variables (Van__Listeners__0=…) or on the
// command line (--Van:Listeners:0=…).
// Content root = the program's folder, so appsettings.json is found whatever the working directory (dotnet run
// --project from the repository root, or dotnet /opt/app/….dll from anywhere).
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddSingleton<OrderBook>();
builder.Services.AddVirtualNetwork(builder.Configuration.GetSection(VanOptions.SectionName))
    .AddService<IOrders, OrdersService>("orders");

using var host = builder.Build();
host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
{
    var node = host.Services.GetRequiredService<IVanNode>();
    Console.WriteLine($"Backend node '{node.NodeId}' (site '{node.Site}') serves 'orders', listening on {string.Join(", ", node.ListenEndpoints)}. Ctrl+C stops it.");
});

try
{
    await host.RunAsync();
    return 0;
}
catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
{
    // A bad setting or a listener port in use: one line and exit code 1 rather than an unhandled-exception abort.
    Console.Error.WriteLine($"Backend could not start: {e.Message}");
    return 1;
}
