using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Van;
using Van.Routing;

namespace Van.Hosting.Tests;

/// <summary>What <c>AddVirtualNetwork</c> registers, and how options reach the node from code and configuration.</summary>
public class RegistrationTests
{
    private const string Json = """
        { "Van": { "NodeId": "web-1", "Site": "onprem", "Listeners": [ "127.0.0.1:0" ],
                   "Links": [ { "Url": "orders.cloud.example:5672", "Cost": 10 } ],
                   "Services": { "orders": { "Distribution": "closest", "MaxConcurrency": 64 } } } }
        """;

    [Fact]
    public async Task AddVirtualNetwork_Called_RegistersClientNodeAndHostedService()
    {
        var services = new ServiceCollection();
        services.AddVirtualNetwork();
        Assert.Contains(services, d => d.ServiceType == typeof(IVanClient));
        Assert.Contains(services, d => d.ServiceType == typeof(IVanNode));
        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService));

        await using var provider = services.AddLogging().BuildServiceProvider();
        var node = provider.GetRequiredService<IVanNode>();
        var client = provider.GetRequiredService<IVanClient>();
        Assert.Same(node, provider.GetRequiredService<IVanNode>());
        Assert.Same(client, provider.GetRequiredService<IVanClient>());
        Assert.Equal(node.NodeId, client.NodeId);
        Assert.Contains(provider.GetServices<IHostedService>(), s => ReferenceEquals(s, node));
    }

    [Fact]
    public async Task AddVirtualNetwork_CalledTwice_RegistersOneNode()
    {
        var services = new ServiceCollection();
        services.AddVirtualNetwork(o => o.Site = "a");
        services.AddVirtualNetwork(o => o.NodeId = "twice-1");
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(IVanClient));

        await using var provider = services.AddLogging().BuildServiceProvider();
        var node = provider.GetRequiredService<IVanNode>();
        Assert.Equal(("twice-1", "a"), (node.NodeId, node.Site));
    }

    [Fact]
    public async Task AddVirtualNetwork_JsonConfiguration_BindsEveryField()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json))).Build();
        var services = new ServiceCollection();
        services.AddVirtualNetwork(configuration.GetSection(VanOptions.SectionName));
        await using var provider = services.AddLogging().BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<VanOptions>>().Value;
        Assert.Equal("web-1", options.NodeId);
        Assert.Equal("onprem", options.Site);
        Assert.Equal(["127.0.0.1:0"], options.Listeners);
        var link = Assert.Single(options.Links);
        Assert.Equal(("orders.cloud.example:5672", 10), (link.Url, link.Cost));
        var (address, service) = Assert.Single(options.Services);
        Assert.Equal("orders", address);
        Assert.Equal(Distribution.Closest, service.Distribution);
        Assert.Equal(64, service.MaxConcurrency);

        var node = provider.GetRequiredService<IVanNode>();
        Assert.Equal(("web-1", "onprem"), (node.NodeId, node.Site));
    }

    [Fact]
    public async Task AddVirtualNetwork_InMemoryConfiguration_BindsEveryField()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Van:NodeId"] = "web-1",
            ["Van:Site"] = "onprem",
            ["Van:Listeners:0"] = "127.0.0.1:0",
            ["Van:Links:0:Url"] = "orders.cloud.example:5672",
            ["Van:Links:0:Cost"] = "10",
            ["Van:Services:orders:Distribution"] = "balanced",
            ["Van:Services:orders:MaxConcurrency"] = "64",
            ["Van:RequestTimeout"] = "00:00:05",
            ["Van:DrainTimeout"] = "00:00:02",
            ["Van:HelloInterval"] = "00:00:00.500",
            ["Van:DefaultMaxConcurrency"] = "8",
            ["Van:RequiredServices:0"] = "payments",
        }).Build();
        var services = new ServiceCollection();
        services.AddVirtualNetwork(configuration.GetSection(VanOptions.SectionName));
        await using var provider = services.AddLogging().BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<VanOptions>>().Value;
        Assert.Equal(("web-1", "onprem"), (options.NodeId, options.Site));
        Assert.Equal(["127.0.0.1:0"], options.Listeners);
        var link = Assert.Single(options.Links);
        Assert.Equal(("orders.cloud.example:5672", 10), (link.Url, link.Cost));
        Assert.Equal(Distribution.Balanced, options.Services["orders"].Distribution);
        Assert.Equal(64, options.Services["orders"].MaxConcurrency);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), options.DrainTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.HelloInterval);
        Assert.Equal(8, options.DefaultMaxConcurrency);
        Assert.Equal(["payments"], options.RequiredServices);
    }

    [Fact]
    public async Task AddVirtualNetwork_ConfigurationAndCode_CodeAppliesAfterConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json))).Build();
        var services = new ServiceCollection();
        services.AddVirtualNetwork(configuration.GetSection(VanOptions.SectionName), o => o.Site = "cloud");
        await using var provider = services.AddLogging().BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<VanOptions>>().Value;
        Assert.Equal(("web-1", "cloud"), (options.NodeId, options.Site));
    }

    [Fact]
    public async Task AddVirtualNetwork_NoNodeId_DefaultsToHostNameAndProcessIdUniqueInProcess()
    {
        var services = new ServiceCollection();
        services.AddVirtualNetwork();
        await using var provider = services.AddLogging().BuildServiceProvider();

        var host = new string([.. Environment.MachineName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        // Tests run in parallel in one process: a second default node in a process gets a "-N" suffix.
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape($"{host}-{Environment.ProcessId}")}(-[0-9]+)?$", provider.GetRequiredService<IVanNode>().NodeId);
        Assert.Null(provider.GetRequiredService<IOptions<VanOptions>>().Value.NodeId);
    }

    [Fact]
    public async Task AddVirtualNetwork_TwoDefaultNodesInOneProcess_GetDifferentIds()
    {
        var first = new ServiceCollection();
        first.AddVirtualNetwork();
        await using var one = first.AddLogging().BuildServiceProvider();
        var second = new ServiceCollection();
        second.AddVirtualNetwork();
        await using var two = second.AddLogging().BuildServiceProvider();
        Assert.NotEqual(one.GetRequiredService<IVanNode>().NodeId, two.GetRequiredService<IVanNode>().NodeId);
    }

    [Fact]
    public async Task StartAsync_DefaultNodeId_PassesValidation()
    {
        // The default id must itself be a valid id, whatever the machine is called.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddVirtualNetwork();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            Assert.True(host.Services.GetRequiredService<IVanNode>().IsRunning);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
