using System.Net;
using Van.LoadTest.Baselines;
using Van.LoadTest.Harness;
using Van.LoadTest.VanTargets;

namespace Van.LoadTest.Scenarios;

/// <summary>Scenario 1: request/response over one hop, one call at a time: latency percentiles.</summary>
internal sealed class OneHopSequentialScenario : Scenario
{
    public const string RawTcp = "raw TCP ping-pong";
    public const string Http1 = "Kestrel HTTP/1.1";
    public const string H2c = "Kestrel h2c";
    public const string Van = "Van";
    private const string Latency = "p50 latency";

    public override string Name => "one-hop-seq";

    public override string Title => "request/response, one hop, sequential";

    public override IReadOnlyList<RowSpec> Rows { get; } =
    [
        new(Latency, "µs", Metric.P50, Van, RawTcp),
        new("p99 latency", "µs", Metric.P99, Van, RawTcp),
        new("p99.9 latency", "µs", Metric.P999, Van, RawTcp),
        new(Latency, "µs", Metric.P50, Van, Http1),
        new(Latency, "µs", Metric.P50, Van, H2c),
    ];

    public override IReadOnlyList<TargetSpec> Targets { get; } =
    [
        TargetSpec.AtMost("one-hop sequential p50 ≤ 1.25 × raw TCP ping-pong", Latency, RawTcp, 1.25),
        TargetSpec.Below("one-hop sequential p50 below Kestrel HTTP/1.1", Latency, Http1),
    ];

    public override IReadOnlyList<string> Notes { get; } =
    [
        "latency: client-side round trip of a unique 64-byte payload (Stopwatch timestamps), percentiles from every sample sorted; A → C over TCP, C a separate process",
    ];

    public override async Task<IReadOnlyList<Contender>> PrepareAsync(Fixtures fixtures, ScenarioScope scope, CancellationToken cancellationToken)
    {
        var tcp = await fixtures.TcpServerAsync(cancellationToken);
        var kestrel = await fixtures.KestrelAsync(cancellationToken);
        var van = await fixtures.OneHopClientAsync(cancellationToken);
        var ping = scope.Add(await TcpPingPongCaller.ConnectAsync(Fixtures.Port(tcp), cancellationToken));
        var http1 = new HttpEchoCaller(fixtures.Http1, Fixtures.Uri(kestrel, "http1"), HttpVersion.Version11, 0);
        var h2c = new HttpEchoCaller(fixtures.H2c, Fixtures.Uri(kestrel, "h2c"), HttpVersion.Version20, 0);
        var echo = new VanEchoCaller(van, Addresses.Echo, 0);
        return
        [
            new(RawTcp, (d, c, t) => Measure.LatencyAsync(ping, d, c, t)),
            new(Http1, (d, c, t) => Measure.LatencyAsync(http1, d, c, t)),
            new(H2c, (d, c, t) => Measure.LatencyAsync(h2c, d, c, t)),
            new(Van, (d, c, t) => Measure.LatencyAsync(echo, d, c, t)),
        ];
    }
}
