using Van.Core.Amqp.Framing;

namespace Van.Routing.Internal;

/// <summary>One message being routed by this node, from arrival until its outcome goes back upstream.</summary>
internal sealed class InFlight(ReadOnlyMemory<byte> message, string address, RoutingHeader header, bool fromNode, bool presettled, Action<DeliveryState> complete)
{
    private Action<DeliveryState>? _complete = complete;

    public ReadOnlyMemory<byte> Message { get; } = message;

    public string Address { get; } = address;

    public RoutingHeader Header { get; } = header;

    /// <summary>It arrived from another node (so routing was decided upstream); otherwise this node is its ingress.</summary>
    public bool FromNode { get; } = fromNode;

    public bool Presettled { get; } = presettled;

    public int Attempts { get; set; }

    /// <summary>A destination released it (rather than it failing to go anywhere).</summary>
    public bool WasReleased { get; set; }

    public List<object>? Excluded { get; private set; }

    /// <summary>When this node started routing it (a <see cref="TimeProvider"/> timestamp).</summary>
    public long Started { get; set; }

    /// <summary>The routing snapshot its current round of attempts chose from.</summary>
    public long SnapshotVersion { get; set; }

    /// <summary>Routing knew a destination for it (so a failure is worth waiting out, unlike "nothing serves this").</summary>
    public bool SawRoute { get; set; }

    /// <summary>The ingress's current wait between rounds of attempts when routes do not change.</summary>
    public TimeSpan RetryDelay { get; set; }

    /// <summary>New routes came: forget what failed under the old ones.</summary>
    public void StartOver(long snapshotVersion)
    {
        SnapshotVersion = snapshotVersion;
        Excluded = null;
        Attempts = 0;
    }

    public void Exclude(object destination) => (Excluded ??= []).Add(destination);

    public bool IsExcluded(object destination) => Excluded is { } e && e.Contains(destination);

    /// <summary>Settles upstream exactly once.</summary>
    public void Finish(DeliveryState state) => Interlocked.Exchange(ref _complete, null)?.Invoke(state);
}
