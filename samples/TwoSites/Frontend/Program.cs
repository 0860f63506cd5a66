using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TwoSites.Frontend;
using Van;

// The "onprem" site: a Van node that dials Backend (appsettings.json: Van:Links) and calls "orders" in a loop.
// Override any setting with environment variables (Van__Links__0__Url=backend-host:5673) or on the command line
// (--Van:Links:0:Url=backend-host:5673); `--count N` places N orders and exits (0 when all succeeded).
// Content root = the program's folder, so appsettings.json is found whatever the working directory (dotnet run
// --project from the repository root, or dotnet /opt/app/….dll from anywhere).
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>(StringComparer.Ordinal) { ["--count"] = "Frontend:Count" });
builder.Services.Configure<FrontendOptions>(builder.Configuration.GetSection(FrontendOptions.SectionName));
builder.Services.AddVirtualNetwork(builder.Configuration.GetSection(VanOptions.SectionName));

// Unhealthy while no route to a Van:RequiredServices address exists; an ASP.NET Core app would MapHealthChecks("/healthz").
builder.Services.AddHealthChecks().AddVanHealthCheck();
builder.Services.AddHostedService<OrderLoop>();

using var host = builder.Build();
try
{
    await host.RunAsync();
}
catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
{
    // A bad setting: one line and exit code 1 rather than an unhandled-exception abort.
    Console.Error.WriteLine($"Frontend could not start: {e.Message}");
    return 1;
}

// OrderLoop sets the exit code when it ran a fixed --count: 0 when every call succeeded.
return Environment.ExitCode;
