namespace Van.Routing.Internal.Topology;

/// <summary>
/// An immutable view of routes and remote addresses. The node swaps it atomically and the message path reads it
/// without locks, so nothing here may change after construction.
/// </summary>
internal sealed class RoutingSnapshot
{
    private static readonly IReadOnlyDictionary<string, int> Empty = new Dictionary<string, int>();

    private readonly Dictionary<string, RemoteDestination[]> _destinations;
    private readonly LinkStateMessage[] _linkStates;
    private readonly AddressMessage[] _addressSets;
    private NodeInfo[]? _nodes;

    private RoutingSnapshot(
        string nodeId,
        long version,
        IReadOnlyDictionary<string, (string NextHop, int Cost)> routes,
        Dictionary<string, RemoteDestination[]> destinations,
        LinkStateMessage[] linkStates,
        AddressMessage[] addressSets,
        IReadOnlyDictionary<string, string> sites)
    {
        NodeId = nodeId;
        Sites = sites;
        Version = version;
        Routes = routes;
        ReachableNodes = routes.Keys as IReadOnlyCollection<string> ?? [.. routes.Keys];
        _destinations = destinations;
        _linkStates = linkStates;
        _addressSets = addressSets;
    }

    public string NodeId { get; }

    /// <summary>Increases by one with each snapshot a protocol instance publishes.</summary>
    public long Version { get; }

    /// <summary>Every reachable node other than this one.</summary>
    public IReadOnlyCollection<string> ReachableNodes { get; }

    /// <summary>Every address some reachable remote node serves.</summary>
    public IReadOnlyCollection<string> Addresses => _destinations.Keys;

    /// <summary>Every node in the database, this one included, ordered by id. Built on first use (for status, not routing).</summary>
    public IReadOnlyList<NodeInfo> Nodes
    {
        get
        {
            // Racing readers may each build it; they build equal lists, and the array reference is published whole.
            var nodes = Volatile.Read(ref _nodes);
            if (nodes is null)
            {
                nodes = BuildNodes();
                Volatile.Write(ref _nodes, nodes);
            }

            return nodes;
        }
    }

    internal IReadOnlyDictionary<string, (string NextHop, int Cost)> Routes { get; }

    /// <summary>
    /// The site of every node with a link-state record, this one included, when this node's export policy restricts
    /// anything (else only this node's). The same instance from snapshot to snapshot until a node appears, changes site
    /// or is forgotten (so what is derived from it can be kept until then).
    /// </summary>
    internal IReadOnlyDictionary<string, string> Sites { get; }

    /// <summary>The site a node's link-state record names; false when there is none.</summary>
    public bool TryGetSite(string nodeId, out string site)
    {
        if (Sites.TryGetValue(nodeId, out var s))
        {
            site = s;
            return true;
        }

        site = "";
        return false;
    }

    /// <summary>The next hop and path cost toward a reachable node other than this one.</summary>
    public bool TryGetRoute(string nodeId, out string nextHop, out int cost)
    {
        if (Routes.TryGetValue(nodeId, out var route))
        {
            (nextHop, cost) = route;
            return true;
        }

        nextHop = "";
        cost = 0;
        return false;
    }

    /// <summary>Whether <paramref name="other"/> routes to the same nodes, each by the same next hop at the same cost.</summary>
    public bool HasSameRoutes(RoutingSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(Routes, other.Routes))
        {
            return true;
        }

        if (Routes.Count != other.Routes.Count)
        {
            return false;
        }

        foreach (var (node, route) in Routes)
        {
            if (!other.Routes.TryGetValue(node, out var theirs) || theirs != route)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reachable remote nodes serving <paramref name="address"/>, cheapest first (then by node id); an empty list when
    /// none. One lookup, no allocation.
    /// </summary>
    public IReadOnlyList<RemoteDestination> GetDestinations(string address) =>
        _destinations.TryGetValue(address, out var destinations) ? destinations : [];

    /// <summary>A snapshot holding only the local node, before anything is known.</summary>
    internal static RoutingSnapshot Initial(string nodeId, LinkStateMessage linkState, AddressMessage addresses, IReadOnlyDictionary<string, string> sites) => new(
        nodeId,
        0,
        new Dictionary<string, (string, int)>(StringComparer.Ordinal),
        new Dictionary<string, RemoteDestination[]>(StringComparer.Ordinal),
        [linkState],
        [addresses],
        sites);

    /// <summary>
    /// The next snapshot. Only the destinations of addresses that may have changed are rebuilt: those in
    /// <paramref name="touchedAddresses"/> (their origin's set changed) and those of origins whose route changed.
    /// Records are immutable, so they are shared rather than copied. <paramref name="addressOrigins"/> maps each
    /// address to the remote origins whose stored set holds it and that this node may use it from (policy).
    /// </summary>
    internal static RoutingSnapshot Create(
        RoutingSnapshot previous,
        IReadOnlyDictionary<string, (string NextHop, int Cost)> routes,
        IReadOnlyDictionary<string, LinkStateMessage> linkStates,
        IReadOnlyDictionary<string, AddressMessage> addressSets,
        IReadOnlyDictionary<string, HashSet<string>> addressOrigins,
        HashSet<string> touchedAddresses,
        IReadOnlyDictionary<string, string> sites)
    {
        if (!ReferenceEquals(routes, previous.Routes))
        {
            foreach (var (origin, route) in routes)
            {
                if (!previous.Routes.TryGetValue(origin, out var old) || old != route)
                {
                    Touch(origin);
                }
            }

            foreach (var origin in previous.Routes.Keys)
            {
                if (!routes.ContainsKey(origin))
                {
                    Touch(origin);
                }
            }
        }

        var destinations = new Dictionary<string, RemoteDestination[]>(previous._destinations, StringComparer.Ordinal);
        foreach (var address in touchedAddresses)
        {
            destinations.Remove(address);
            if (!addressOrigins.TryGetValue(address, out var origins))
            {
                continue;
            }

            var list = new List<RemoteDestination>(origins.Count);
            foreach (var origin in origins)
            {
                if (routes.TryGetValue(origin, out var route))
                {
                    list.Add(new RemoteDestination(origin, route.Cost, addressSets[origin].Added[address], route.NextHop));
                }
            }

            if (list.Count > 0)
            {
                var array = list.ToArray();
                Array.Sort(array, static (a, b) => a.Cost != b.Cost ? a.Cost.CompareTo(b.Cost) : string.CompareOrdinal(a.NodeId, b.NodeId));
                destinations.Add(address, array);
            }
        }

        return new RoutingSnapshot(previous.NodeId, previous.Version + 1, routes, destinations, [.. linkStates.Values], [.. addressSets.Values], sites);

        void Touch(string origin)
        {
            if (addressSets.TryGetValue(origin, out var set))
            {
                foreach (var address in set.Added.Keys)
                {
                    touchedAddresses.Add(address);
                }
            }
        }
    }

    private NodeInfo[] BuildNodes()
    {
        var byId = new Dictionary<string, (LinkStateMessage? LinkState, AddressMessage? Addresses)>(StringComparer.Ordinal);
        foreach (var linkState in _linkStates)
        {
            byId[linkState.Origin] = (linkState, null);
        }

        foreach (var addresses in _addressSets)
        {
            byId[addresses.Origin] = (byId.GetValueOrDefault(addresses.Origin).LinkState, addresses);
        }

        var nodes = new NodeInfo[byId.Count];
        var n = 0;
        foreach (var (id, (linkState, addresses)) in byId)
        {
            var self = string.Equals(id, NodeId, StringComparison.Ordinal);
            var reachable = Routes.TryGetValue(id, out var route);
            nodes[n++] = new NodeInfo(
                id,
                linkState?.Site ?? "",
                self || reachable,
                self ? 0 : reachable ? route.Cost : -1,
                linkState?.Neighbours ?? Empty,
                addresses?.Added ?? Empty);
        }

        Array.Sort(nodes, static (a, b) => string.CompareOrdinal(a.NodeId, b.NodeId));
        return nodes;
    }
}
