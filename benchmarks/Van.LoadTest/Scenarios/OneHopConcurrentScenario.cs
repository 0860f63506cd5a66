using System.Net;
using Van.LoadTest.Baselines;
using Van.LoadTest.Harness;
using Van.LoadTest.VanTargets;

namespace Van.LoadTest.Scenarios;

/// <summary>Scenario 2: request/response over one hop with 64 calls in flight: throughput and CPU per request.</summary>
internal sealed class OneHopConcurrentScenario : Scenario
{
    public const int InFlight = 64;
    public const string RawTcp = "raw TCP, 64-deep window";
    public const string Http1 = "Kestrel HTTP/1.1, 64 conns";
    public const string H2c = "Kestrel h2c, 64 streams";
    public const string Van = "Van ×64";
    private const string Rate = "req/s, 64 in flight";
    private const string Cpu = "CPU per request";

    public override string Name => "one-hop-64";

    public override string Title => "request/response, one hop, 64 in flight";

    public override IReadOnlyList<RowSpec> Rows { get; } =
    [
        new(Rate, "req/s", Metric.PerSecond, Van, Http1),
        new(Rate, "req/s", Metric.PerSecond, Van, H2c),
        new(Rate, "req/s", Metric.PerSecond, Van, RawTcp),
        new(Cpu, "µs/req", Metric.CpuPerCall, Van, Http1),
        new(Cpu, "µs/req", Metric.CpuPerCall, Van, H2c),
        new(Cpu, "µs/req", Metric.CpuPerCall, Van, RawTcp),
    ];

    public override IReadOnlyList<TargetSpec> Targets { get; } =
    [
        TargetSpec.AtLeast("64-in-flight req/s ≥ 8 × Kestrel HTTP/1.1", Rate, Http1, 8),
        TargetSpec.Below("64-in-flight CPU/request below Kestrel HTTP/1.1", Cpu, Http1),
    ];

    public override IReadOnlyList<string> Notes { get; } =
    [
        "CPU per request: process CPU time (user + system) of the client process and the server process together, over the requests completed in the same window",
        "raw TCP window: 64 callers share one connection; one writer sends whatever is queued in one send, one reader completes callers in order",
    ];

    public override async Task<IReadOnlyList<Contender>> PrepareAsync(Fixtures fixtures, ScenarioScope scope, CancellationToken cancellationToken)
    {
        var tcp = await fixtures.TcpServerAsync(cancellationToken);
        var kestrel = await fixtures.KestrelAsync(cancellationToken);
        var vanServer = await fixtures.VanServerAsync(cancellationToken);
        var van = await fixtures.OneHopClientAsync(cancellationToken);
        var pipelined = scope.Add(await TcpPipelinedClient.ConnectAsync(Fixtures.Port(tcp), cancellationToken));
        var http1 = Fixtures.Uri(kestrel, "http1");
        var h2c = Fixtures.Uri(kestrel, "h2c");
        return
        [
            Throughput(RawTcp, w => pipelined.CreateCaller(w), new ResourceMeter(tcp)),
            Throughput(Http1, w => new HttpEchoCaller(fixtures.Http1, http1, HttpVersion.Version11, w), new ResourceMeter(kestrel)),
            Throughput(H2c, w => new HttpEchoCaller(fixtures.H2c, h2c, HttpVersion.Version20, w), new ResourceMeter(kestrel)),
            Throughput(Van, w => new VanEchoCaller(van, Addresses.Echo, w), new ResourceMeter(vanServer)),
        ];
    }

    public static Contender Throughput(string name, Func<int, Caller> create, ResourceMeter? meter) =>
        new(name, (d, c, t) => Measure.ThroughputAsync(new WorkersLoad(InFlight, create), d, meter, c, t));
}
