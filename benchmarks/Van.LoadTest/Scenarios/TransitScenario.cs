using Van.LoadTest.Baselines;
using Van.LoadTest.Harness;
using Van.LoadTest.VanTargets;

namespace Van.LoadTest.Scenarios;

/// <summary>Scenario 4: request/response through a transit node (A′ → B → C) against one hop (A → C).</summary>
internal sealed class TransitScenario : Scenario
{
    public const string OneHop = "Van one hop (A → C)";
    public const string Transit = "Van via B (A′ → B → C)";
    public const string RawDirect = "raw TCP direct (A → S)";
    public const string RawRelay = "raw TCP via a byte relay R";
    private const string Latency = "p50 latency";
    private const string Rate = "req/s, 64 in flight";

    public override string Name => "transit";

    public override string Title => "request/response through a transit node";

    public override IReadOnlyList<RowSpec> Rows { get; } =
    [
        new(Latency, "µs", Metric.P50, Transit, OneHop),
        new(Rate, "req/s", Metric.PerSecond, Transit, OneHop),
        new("p50, floor: relay vs direct", "µs", Metric.P50, RawRelay, RawDirect),
        new("req/s, floor: relay vs direct", "req/s", Metric.PerSecond, RawRelay, RawDirect),
    ];

    public override IReadOnlyList<TargetSpec> Targets { get; } =
    [
        TargetSpec.AtMost("transit adds ≤ 40 % to one-hop p50", Latency, OneHop, 1.4),
        TargetSpec.AtLeast("transit keeps ≥ 80 % of one-hop req/s", Rate, OneHop, 0.8),
    ];

    public override IReadOnlyList<string> Notes { get; } =
    [
        "transit: B is a plain node (no services) in its own process, linked to C; A′ links only to B and has no listener, so it has no direct link to C; the one-hop baseline is measured again here, interleaved",
        "transit floor rows: the 'Van' column holds raw TCP through a byte relay R (its own process, copies bytes as they arrive, no parsing) and the baseline raw TCP straight to the server S; their ratio is what any middle process costs on this machine, the least a transit node can add",
    ];

    public override async Task<IReadOnlyList<Contender>> PrepareAsync(Fixtures fixtures, ScenarioScope scope, CancellationToken cancellationToken)
    {
        var oneHop = await fixtures.OneHopClientAsync(cancellationToken);
        var viaTransit = await fixtures.TransitClientAsync(cancellationToken);
        var tcp = await fixtures.TcpServerAsync(cancellationToken);
        var relay = await fixtures.TcpRelayAsync(cancellationToken);
        return
        [
            Both(OneHop, oneHop),
            Both(Transit, viaTransit),
            await RawAsync(RawDirect, Fixtures.Port(tcp), scope, cancellationToken),
            await RawAsync(RawRelay, Fixtures.Port(relay), scope, cancellationToken),
        ];
    }

    private static async Task<Contender> RawAsync(string name, int port, ScenarioScope scope, CancellationToken cancellationToken)
    {
        var ping = scope.Add(await TcpPingPongCaller.ConnectAsync(port, cancellationToken));
        var window = scope.Add(await TcpPipelinedClient.ConnectAsync(port, cancellationToken));
        return new(name, async (d, c, t) =>
        {
            var latency = await Measure.LatencyAsync(ping, d, c, t);
            var load = new WorkersLoad(OneHopConcurrentScenario.InFlight, window.CreateCaller);
            return latency.With(await Measure.ThroughputAsync(load, d, null, c, t));
        });
    }

    private static Contender Both(string name, IVanClient client) => new(name, async (d, c, t) =>
    {
        var latency = await Measure.LatencyAsync(new VanEchoCaller(client, Addresses.Echo, 0), d, c, t);
        var load = new WorkersLoad(OneHopConcurrentScenario.InFlight, w => new VanEchoCaller(client, Addresses.Echo, w));
        return latency.With(await Measure.ThroughputAsync(load, d, null, c, t));
    });
}
