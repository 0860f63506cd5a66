namespace Van;

/// <summary>
/// Names to subscribe to: the meter and activity source Van reports on (for OpenTelemetry,
/// <c>AddMeter(VanDiagnostics.MeterName)</c> and <c>AddSource(VanDiagnostics.ActivitySourceName)</c>).
/// </summary>
/// <remarks>
/// Instruments (all tagged <c>van.node</c>): <c>van.client.requests</c> and <c>van.client.duration</c> (s) per call,
/// tagged <c>van.address</c>, <c>van.operation</c> (request/send/publish) and <c>van.outcome</c> (ok, no-route, timeout,
/// remote-error, rejected, link-lost, cancelled); <c>van.client.failures</c> tagged <c>van.reason</c>;
/// <c>van.service.requests</c> and <c>van.service.duration</c> per handled message, tagged <c>van.address</c> and
/// <c>van.outcome</c>; and the router's <c>van.router.*</c> instruments (forwarded deliveries, per-link messages and
/// bytes, route changes, connected and reachable nodes; see Van.Routing's README). Spans: <c>van.request</c>,
/// <c>van.send</c>, <c>van.publish</c> (client), <c>van.handle</c> (server) and <c>van.forward</c> on transit nodes,
/// joined by W3C trace context carried in each message's application properties.
/// </remarks>
public static class VanDiagnostics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Van";

    /// <summary>The activity source's name.</summary>
    public const string ActivitySourceName = "Van";
}
