using Van.Routing.Internal.Topology;

namespace Van.Routing.Tests.Topology;

/// <summary>Records what one protocol instance sends, for tests that drive it by hand.</summary>
internal sealed class RecordingOutput(List<(string To, ControlMessage Message)> sent) : IRoutingProtocolOutput
{
    public Action? Lost { get; set; }

    public void Send(string neighbourId, ControlMessage message) => sent.Add((neighbourId, message));

    public void NeighbourLost(string neighbourId, string reason) => Lost?.Invoke();

    public void SnapshotChanged(RoutingSnapshot snapshot)
    {
    }
}
