using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;

namespace Van.Routing.Internal;

/// <summary>
/// The router's metrics and spans, on the <c>Van</c> meter and activity source the application layer also uses. The
/// instrument names and tags are a public contract (listed in the project README). Every measurement carries
/// <see cref="NodeTag"/>, since several nodes may live in one process. Recording sites check
/// <see cref="Instrument.Enabled"/> (or <see cref="ActivitySource.HasListeners"/>) first and pass tag arrays built once
/// per node or connection: with no listener the message path does no extra work, and recording a metric allocates
/// nothing. A span (only for messages carrying a trace context, while the source has a listener) costs its activity.
/// </summary>
internal static class RouterTelemetry
{
    public const string Name = "Van";
    public const string NodeTag = "van.node";
    public const string PeerTag = "van.peer";
    public const string DirectionTag = "van.direction";
    public const string AddressTag = "van.address";
    public const string DestinationTag = "van.destination";
    public const string ForwardActivity = "van.forward";
    public const string TraceParentProperty = "traceparent";
    public const string TraceStateProperty = "tracestate";

    public static readonly Meter Meter = new(Name);

    public static readonly ActivitySource Source = new(Name);

    /// <summary>Deliveries this node sent on to another node (transit forwards, and ingress sends to remote nodes).</summary>
    public static readonly Counter<long> DeliveriesForwarded = Meter.CreateCounter<long>(
        "van.router.deliveries.forwarded", "{delivery}", "Deliveries this node sent on to another node, by next hop.");

    /// <summary>Transfers on the data links of inter-node connections, by peer and direction.</summary>
    public static readonly Counter<long> LinkMessages = Meter.CreateCounter<long>(
        "van.router.link.messages", "{message}", "Messages sent or received on the data links of inter-node connections.");

    /// <summary>Encoded message bytes on the data links of inter-node connections, by peer and direction.</summary>
    public static readonly Counter<long> LinkBytes = Meter.CreateCounter<long>(
        "van.router.link.bytes", "By", "Encoded message bytes sent or received on the data links of inter-node connections.");

    /// <summary>Routing snapshots published whose routes (next hop or cost to some node, or the set of nodes) differ.</summary>
    public static readonly Counter<long> RouteChanges = Meter.CreateCounter<long>(
        "van.router.route.changes", "{change}", "Route recomputations that changed this node's routes.");

    // Live nodes, for the observable gauges: the meter is static, nodes come and go.
    private static readonly ConcurrentDictionary<VanRouter, byte> Routers = new();

    /// <summary>Neighbour nodes with a live connection.</summary>
    public static readonly ObservableGauge<int> NodesConnected = Meter.CreateObservableGauge(
        "van.router.nodes.connected", ObserveConnected, "{node}", "Neighbour nodes with a live connection to this node.");

    /// <summary>Nodes in the current routing snapshot other than this one.</summary>
    public static readonly ObservableGauge<int> NodesReachable = Meter.CreateObservableGauge(
        "van.router.nodes.reachable", ObserveReachable, "{node}", "Nodes this node can route to, other than itself.");

    public static void Register(VanRouter router) => Routers.TryAdd(router, 0);

    public static void Unregister(VanRouter router) => Routers.TryRemove(router, out _);

    /// <summary>The tags of a node-wide measurement.</summary>
    public static KeyValuePair<string, object?>[] NodeTags(string nodeId) => [new(NodeTag, nodeId)];

    /// <summary>The tags of a measurement about one neighbour.</summary>
    public static KeyValuePair<string, object?>[] PeerTags(string nodeId, string peerId) => [new(NodeTag, nodeId), new(PeerTag, peerId)];

    /// <summary>The tags of a data-link measurement; <paramref name="direction"/> is <c>sent</c> or <c>received</c>.</summary>
    public static KeyValuePair<string, object?>[] LinkTags(string nodeId, string peerId, string direction) =>
        [new(NodeTag, nodeId), new(PeerTag, peerId), new(DirectionTag, direction)];

    /// <summary>Counts a delivery of <paramref name="bytes"/> encoded bytes handed to <paramref name="hop"/>'s data link.</summary>
    public static void RecordForward(RouterConnection hop, int bytes)
    {
        if (DeliveriesForwarded.Enabled && hop.ForwardTags is { } tags)
        {
            DeliveriesForwarded.Add(1, tags);
        }

        RecordTransfer(hop.SentTags, bytes);
    }

    /// <summary>Counts one data-link transfer of <paramref name="bytes"/> bytes.</summary>
    public static void RecordTransfer(KeyValuePair<string, object?>[]? tags, int bytes)
    {
        if (tags is null)
        {
            return;
        }

        if (LinkMessages.Enabled)
        {
            LinkMessages.Add(1, tags);
        }

        if (LinkBytes.Enabled)
        {
            LinkBytes.Add(bytes, tags);
        }
    }

    /// <summary>
    /// Starts the span of a message that arrived from another node, as a child of the W3C trace context in its
    /// <c>traceparent</c> (and <c>tracestate</c>) application properties, read without decoding the body. Null when
    /// nobody listens, the message carries no valid trace context, or the listeners do not sample it. The caller's
    /// <see cref="Activity.Current"/> is left as it was: the span only times this node's part, nothing runs under it.
    /// </summary>
    public static Activity? StartForward(ReadOnlySpan<byte> message, string nodeId, string address, string? destination)
    {
        if (!Source.HasListeners() || !TryReadTraceContext(message, out var parent))
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity(ForwardActivity, ActivityKind.Internal, parent);
        if (activity is null)
        {
            return null;
        }

        Activity.Current = previous;
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(NodeTag, nodeId);
            activity.SetTag(AddressTag, address);
            if (destination is not null)
            {
                activity.SetTag(DestinationTag, destination);
            }
        }

        return activity;
    }

    /// <summary>
    /// Ends a span from <see cref="StartForward"/> once the message's outcome is known (marked an error when rejected),
    /// leaving the caller's <see cref="Activity.Current"/> as it was (<see cref="Activity.Stop"/> alone would set it to
    /// the span's parent).
    /// </summary>
    public static void StopForward(Activity activity, DeliveryState state)
    {
        if (state is Rejected rejected)
        {
            activity.SetStatus(ActivityStatusCode.Error, rejected.Error?.Condition.Value);
        }

        var current = Activity.Current;
        activity.Stop();
        Activity.Current = current;
    }

    private static bool TryReadTraceContext(ReadOnlySpan<byte> message, out ActivityContext context)
    {
        context = default;
        try
        {
            var reader = new MessageReader(message);
            if (!reader.TryGetApplicationProperty(TraceParentProperty, out var raw))
            {
                return false;
            }

            var traceParent = new AmqpReader(raw).ReadString();
            string? traceState = null;
            if (reader.TryGetApplicationProperty(TraceStateProperty, out raw) && raw[0] != FormatCode.Null)
            {
                traceState = new AmqpReader(raw).ReadString();
            }

            return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out context);
        }
        catch (AmqpDecodeException)
        {
            // Not a string, or a malformed section: no trace context, and routing reports what is wrong if anything.
            return false;
        }
    }

    private static List<Measurement<int>> ObserveConnected()
    {
        var measurements = new List<Measurement<int>>(Routers.Count);
        foreach (var (router, _) in Routers)
        {
            measurements.Add(new Measurement<int>(router.ConnectedNeighbourCount, router.TelemetryTags));
        }

        return measurements;
    }

    private static List<Measurement<int>> ObserveReachable()
    {
        var measurements = new List<Measurement<int>>(Routers.Count);
        foreach (var (router, _) in Routers)
        {
            measurements.Add(new Measurement<int>(router.Snapshot.ReachableNodes.Count, router.TelemetryTags));
        }

        return measurements;
    }
}
