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

    public void Exclude(object destination) => (Excluded ??= []).Add(destination);

    public bool IsExcluded(object destination) => Excluded is { } e && e.Contains(destination);

    /// <summary>Settles upstream exactly once.</summary>
    public void Finish(DeliveryState state) => Interlocked.Exchange(ref _complete, null)?.Invoke(state);
}
