using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Van;

namespace Van.Hosting.Tests;

/// <summary>Bad options stop the host's start with an <see cref="OptionsValidationException"/> naming the bad value.</summary>
public class OptionsValidationTests
{
    private static readonly VanRequestHandler Empty = (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);

    public static TheoryData<string> Cases => [.. Invalid.Keys];

    /// <summary>Each case: the options (and mapped services) that are wrong, and what the message must name.</summary>
    private static readonly Dictionary<string, (Action<VanOptions> Options, Action<IVanBuilder>? Services, string[] Named)> Invalid = new()
    {
        ["link url with a scheme"] = (o => o.Links.Add(new VanLinkOptions { Url = "http://orders.example:5672" }), null, ["http://orders.example:5672"]),
        ["link url without a port"] = (o => o.Links.Add(new VanLinkOptions { Url = "orders.example" }), null, ["orders.example"]),
        ["link url empty"] = (o => o.Links.Add(new VanLinkOptions { Url = "" }), null, ["Van:Links:0"]),
        ["link port out of range"] = (o => o.Links.Add(new VanLinkOptions { Url = "orders.example:70000" }), null, ["orders.example:70000", "65535"]),
        ["link port zero"] = (o => o.Links.Add(new VanLinkOptions { Url = "orders.example:0" }), null, ["orders.example:0"]),
        ["listener port out of range"] = (o => o.Listeners.Add("127.0.0.1:65536"), null, ["127.0.0.1:65536"]),
        ["link cost zero"] = (o => o.Links.Add(new VanLinkOptions { Url = "orders.example:5672", Cost = 0 }), null, ["orders.example:5672", "Cost is 0"]),
        ["max concurrency zero"] = (o => o.Services["orders"] = new VanServiceOptions { MaxConcurrency = 0 }, null, ["orders", "MaxConcurrency is 0"]),
        ["default max concurrency zero"] = (o => o.DefaultMaxConcurrency = 0, null, ["DefaultMaxConcurrency is 0"]),
        ["node id with a slash"] = (o => o.NodeId = "web/1", null, ["'web/1'"]),
        ["node id with a space"] = (o => o.NodeId = "web 1", null, ["'web 1'"]),
        ["reserved mapped address"] = (_ => { }, van => van.MapService("_van/orders", Empty), ["_van/orders", "reserved"]),
        ["reserved configured address"] = (o => o.Services["_van/x"] = new VanServiceOptions(), null, ["_van/x", "reserved"]),
        ["reserved required address"] = (o => o.RequiredServices.Add("_van/status"), null, ["_van/status", "reserved"]),
        ["address mapped twice"] = (_ => { }, van => van.MapService("orders", Empty).MapService("orders", Empty), ["orders", "mapped twice"]),
        ["same link twice"] = (o => { o.Links.Add(new VanLinkOptions { Url = "orders.example:5672" }); o.Links.Add(new VanLinkOptions { Url = "orders.example:5672", Cost = 5 }); }, null, ["orders.example:5672", "twice"]),
        ["same link with and without scheme"] = (o => { o.Links.Add(new VanLinkOptions { Url = "amqp://orders.example:5672/" }); o.Links.Add(new VanLinkOptions { Url = "ORDERS.example:5672" }); }, null, ["ORDERS.example:5672", "twice"]),
        ["request timeout zero"] = (o => o.RequestTimeout = TimeSpan.Zero, null, ["RequestTimeout", "00:00:00"]),
        ["request timeout negative"] = (o => o.RequestTimeout = TimeSpan.FromSeconds(-1), null, ["RequestTimeout", "-00:00:01"]),
        ["drain timeout negative"] = (o => o.DrainTimeout = TimeSpan.FromSeconds(-1), null, ["DrainTimeout"]),
        ["hello interval zero"] = (o => o.HelloInterval = TimeSpan.Zero, null, ["HelloInterval"]),
        ["site empty"] = (o => o.Site = " ", null, ["Site"]),
        ["tls listener without a certificate"] = (o => o.Listeners.Add("amqps://127.0.0.1:0"), null, ["amqps://127.0.0.1:0", "Van:Tls:CertificateFile"]),
        ["tls link without a certificate or token"] = (o => o.Links.Add(new VanLinkOptions { Url = "amqps://orders.example:5671" }), null, ["amqps://orders.example:5671", "Token"]),
        ["certificate file missing"] = (o => o.Tls = new VanCertificateOptions { CertificateFile = "/nonexistent/node.crt" }, null, ["Van:Tls:CertificateFile", "/nonexistent/node.crt"]),
        ["authorities file missing"] = (o => o.Tls = new VanCertificateOptions { AuthoritiesFile = "/nonexistent/ca.crt" }, null, ["Van:Tls:AuthoritiesFile", "/nonexistent/ca.crt"]),
        ["token file missing"] = (o => o.Links.Add(new VanLinkOptions { Token = "/nonexistent/link.token" }), null, ["Van:Links:0:Token", "/nonexistent/link.token"]),
        ["url and token both"] = (o => o.Links.Add(new VanLinkOptions { Url = "orders.example:5671", Token = "/tmp/x.token" }), null, ["Van:Links:0", "not both"]),
        ["empty export pattern"] = (o => o.Policy.Export = [""], null, ["Van:Policy:Export"]),
        ["empty peer match"] = (o => o.Policy.Peers.Add(new VanPeerPolicyOptions { Match = " " }), null, ["Van:Policy:Peers:0", "Match"]),
        ["listener with a cost"] = (o => o.Listeners.Add("127.0.0.1:0,cost=5"), null, ["127.0.0.1:0,cost=5", "role="]),
        ["listener with an unknown role"] = (o => o.Listeners.Add("127.0.0.1:0,role=everyone"), null, ["role"]),
        ["limit zero"] = (o => o.Limits.MaxConnectionsPerListener = 0, null, ["Van:Limits:MaxConnectionsPerListener is 0"]),
        ["frame size too small"] = (o => o.Limits.MaxFrameSize = 100, null, ["Van:Limits:MaxFrameSize is 100"]),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task StartAsync_InvalidOptions_ThrowsNamingTheValue(string @case)
    {
        var (options, services, named) = Invalid[@case];
        using var host = Build(options, services);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        foreach (var text in named)
        {
            Assert.Contains(text, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StartAsync_SeveralInvalidValues_NamesEveryOne()
    {
        using var host = Build(o =>
        {
            o.NodeId = "a b";
            o.RequestTimeout = TimeSpan.Zero;
            o.Links.Add(new VanLinkOptions { Url = "x:1", Cost = -3 });
        });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal(3, e.Failures.Count());
        Assert.Contains("'a b'", e.Message, StringComparison.Ordinal);
        Assert.Contains("RequestTimeout", e.Message, StringComparison.Ordinal);
        Assert.Contains("Cost is -3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ValidOptions_Starts()
    {
        using var host = Build(o =>
        {
            o.NodeId = $"valid-{Guid.NewGuid():N}";
            o.Listeners.Add("127.0.0.1:0");
            o.Services["orders"] = new VanServiceOptions { MaxConcurrency = 1 };
            o.RequestTimeout = TimeSpan.FromMilliseconds(1);
            o.DrainTimeout = TimeSpan.Zero;
        });
        await host.StartAsync();
        Assert.True(host.Services.GetRequiredService<IVanNode>().IsRunning);
        await host.StopAsync();
    }

    private static IHost Build(Action<VanOptions> options, Action<IVanBuilder>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var van = builder.Services.AddVirtualNetwork(o =>
        {
            o.NodeId = $"invalid-{Guid.NewGuid():N}";
            options(o);
        });
        services?.Invoke(van);
        return builder.Build();
    }
}
