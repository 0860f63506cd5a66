namespace Van.LoadTest.Scenarios;

/// <summary>Every scenario, in the order (the table's order).</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new OneHopSequentialScenario(),
        new OneHopConcurrentScenario(),
        new OneWayScenario(),
        new TransitScenario(),
        new InProcessScenario(),
        new LargeMessageScenario(),
        new IdleScenario(),
    ];

    /// <summary>
    /// The order they run in: the in-process one first, while this process is quiet (no other host, no child to talk
    /// to: its allocation figure is process-wide), then the idle probe, then the rest in table order.
    /// </summary>
    public static int ExecutionOrder(Scenario scenario) => scenario switch
    {
        InProcessScenario => 0,
        IdleScenario => 1,
        _ => 2,
    };
}
