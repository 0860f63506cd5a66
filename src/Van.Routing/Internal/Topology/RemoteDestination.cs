namespace Van.Routing.Internal.Topology;

/// <summary>A reachable remote node serving an address: its path cost, advertised capacity and the next hop toward it.</summary>
internal sealed record RemoteDestination(string NodeId, int Cost, int Capacity, string NextHop);
