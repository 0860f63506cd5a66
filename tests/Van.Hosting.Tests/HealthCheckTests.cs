using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Van;

namespace Van.Hosting.Tests;

/// <summary><c>AddVanHealthCheck</c>: unhealthy while a required service is unreachable or the node is not running.</summary>
public class HealthCheckTests
{
    [Fact]
    public async Task AddVanHealthCheck_NothingServesRequired_UnhealthyNamingIt()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("health", van => van.Services.AddHealthChecks().AddVanHealthCheck("orders"));

        var entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("orders", entry.Description, StringComparison.Ordinal);
        Assert.Equal(new[] { "orders" }, (string[])entry.Data["missing"]);
    }

    [Fact]
    public async Task AddVanHealthCheck_NodeServingRequiredLinks_BecomesHealthy()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("health", van => van.Services.AddHealthChecks().AddVanHealthCheck("orders"));
        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(host)).Status);

        await hosts.StartAsync("orders", van => van.MapService("orders", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)), linkTo: host);
        await TestHosts.WaitForAsync(host, "orders");

        var entry = await CheckAsync(host);
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Empty((string[])entry.Data["missing"]);
    }

    [Fact]
    public async Task AddVanHealthCheck_RequiredServicesOption_NamesEveryMissingOne()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync(
            "health",
            van => van.MapService("orders", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)).Services.AddHealthChecks().AddVanHealthCheck("orders", "payments"),
            o => o.RequiredServices.Add("billing"));

        var entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("billing", entry.Description, StringComparison.Ordinal);
        Assert.Contains("payments", entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("orders", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddVanHealthCheck_ServedInProcess_Healthy()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("health", van => van.MapService("orders", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)).Services.AddHealthChecks().AddVanHealthCheck("orders"));

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
    }

    [Fact]
    public async Task AddVanHealthCheck_NodeNotStartedOrStopped_Unhealthy()
    {
        await using var hosts = new TestHosts();
        var host = hosts.Build("health", van => van.MapService("orders", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)).Services.AddHealthChecks().AddVanHealthCheck("orders"));
        var before = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Contains("not running", before.Description, StringComparison.Ordinal);

        await host.StartAsync();
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
        await host.StopAsync();

        var after = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, after.Status);
        Assert.Contains("not running", after.Description, StringComparison.Ordinal);
    }

    private static async Task<HealthReportEntry> CheckAsync(IHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["van"];
    }
}
