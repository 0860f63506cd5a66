using Van.LoadTest.Harness;
using Van.LoadTest.VanTargets;

namespace Van.LoadTest.Scenarios;

/// <summary>Scenario 4: request/response through a transit node (A′ → B → C) against one hop (A → C).</summary>
internal sealed class TransitScenario : Scenario
{
    public const string OneHop = "Van one hop (A → C)";
    public const string Transit = "Van via B (A′ → B → C)";
    private const string Latency = "p50 latency";
    private const string Rate = "req/s, 64 in flight";

    public override string Name => "transit";

    public override string Title => "request/response through a transit node";

    public override IReadOnlyList<RowSpec> Rows { get; } =
    [
        new(Latency, "µs", Metric.P50, Transit, OneHop),
        new(Rate, "req/s", Metric.PerSecond, Transit, OneHop),
    ];

    public override IReadOnlyList<TargetSpec> Targets { get; } =
    [
        TargetSpec.AtMost("transit adds ≤ 40 % to one-hop p50", Latency, OneHop, 1.4),
        TargetSpec.AtLeast("transit keeps ≥ 80 % of one-hop req/s", Rate, OneHop, 0.8),
    ];

    public override IReadOnlyList<string> Notes { get; } =
    [
        "transit: B is a plain node (no services) in its own process, linked to C; A′ links only to B and has no listener, so it has no direct link to C; the one-hop baseline is measured again here, interleaved",
    ];

    public override async Task<IReadOnlyList<Contender>> PrepareAsync(Fixtures fixtures, ScenarioScope scope, CancellationToken cancellationToken)
    {
        var oneHop = await fixtures.OneHopClientAsync(cancellationToken);
        var viaTransit = await fixtures.TransitClientAsync(cancellationToken);
        return [Both(OneHop, oneHop), Both(Transit, viaTransit)];
    }

    private static Contender Both(string name, IVanClient client) => new(name, async (d, c, t) =>
    {
        var latency = await Measure.LatencyAsync(new VanEchoCaller(client, Addresses.Echo, 0), d, c, t);
        var load = new WorkersLoad(OneHopConcurrentScenario.InFlight, w => new VanEchoCaller(client, Addresses.Echo, w));
        return latency.With(await Measure.ThroughputAsync(load, d, null, c, t));
    });
}
