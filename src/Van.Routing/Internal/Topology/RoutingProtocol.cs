namespace Van.Routing.Internal.Topology;

/// <summary>
/// The link-state protocol of one node, free of transport: the node feeds it events and control messages and it
/// answers through <see cref="IRoutingProtocolOutput"/>. Not thread-safe by design; the node calls it from one
/// control loop.
/// </summary>
/// <remarks>
/// Events only record what changed. <see cref="Recompute"/>, which the node calls once after each batch of
/// events, originates this node's own records (one link-state and one address update per batch however many
/// events caused them), sends the full database to neighbours that came up, and then computes routes. Batching
/// keeps a node that sees many changes at once (start-up, a flood through a 1,000-node network) from flooding or
/// running Dijkstra per event.
/// </remarks>
internal sealed class RoutingProtocol
{
    private readonly string _site;
    private readonly IRoutingProtocolOutput _output;
    private readonly TimeProvider _time;
    private readonly RoutingProtocolOptions _options;

    private readonly Dictionary<string, Neighbour> _neighbours = new(StringComparer.Ordinal);

    // Newest record of each origin, this node included. Stored messages are never changed, so they are sent
    // and shared with snapshots as they are.
    private readonly Dictionary<string, LinkStateMessage> _linkStates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AddressMessage> _addressSets = new(StringComparer.Ordinal);

    // The neighbour maps of _linkStates, in the shape RouteComputer takes, kept alongside to avoid a copy per run.
    private readonly Dictionary<string, IReadOnlyDictionary<string, int>> _graph = new(StringComparer.Ordinal);

    private readonly Dictionary<string, int> _localAddresses = new(StringComparer.Ordinal);

    // Address to the remote origins serving it, and the addresses whose destinations changed since the last
    // snapshot, so a snapshot rebuilds only those instead of every address in the network.
    private readonly Dictionary<string, HashSet<string>> _addressOrigins = new(StringComparer.Ordinal);
    private readonly HashSet<string> _touchedAddresses = new(StringComparer.Ordinal);

    // Neighbours that came up since the last Recompute and get the whole database then; floods skip them meanwhile.
    private readonly HashSet<string> _pendingSync = new(StringComparer.Ordinal);

    // Origins named in some record without a record of their own, with the neighbour that named them.
    private readonly Dictionary<string, string> _missingLinkStates = new(StringComparer.Ordinal);

    // When an address set was last requested per origin, so a burst of out-of-order updates asks once.
    private readonly Dictionary<string, long> _addressRequested = new(StringComparer.Ordinal);

    private readonly Dictionary<string, long> _unreachableSince = new(StringComparer.Ordinal);

    // The audience advertised with each local address (null: every node may use it), computed once per address.
    private readonly Dictionary<string, string[]?> _localAudiences = new(StringComparer.Ordinal);

    // (origin, address) pairs the import policy made this node ignore and that were reported, so each is reported once.
    private readonly HashSet<(string Origin, string Address)> _reportedIgnored = [];

    private PolicyRules _policy;
    private IReadOnlyDictionary<string, string> _sites;
    private bool _sitesChanged;

    private long _epoch;
    private long _lsSeq;
    private long _addrSeq;
    private bool _ownLinkStateChanged;
    private bool _ownAddressesChanged;
    private bool _ownAddressesFull;
    private bool _topologyChanged;
    private bool _dirty;

    public RoutingProtocol(string nodeId, string site, long epoch, IRoutingProtocolOutput output, TimeProvider time, RoutingProtocolOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.HelloInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DeadAfterMissedHellos, 1);
        NodeId = nodeId;
        _site = site;
        _epoch = epoch;
        _output = output;
        _time = time;
        _options = options;

        var none = new Dictionary<string, int>(StringComparer.Ordinal);
        _linkStates[nodeId] = new LinkStateMessage(nodeId, epoch, 0, site, none);
        _graph[nodeId] = none;
        _addressSets[nodeId] = new AddressMessage(nodeId, epoch, 0, full: true, none, []);
        _policy = PolicyRules.AllowAll(nodeId, site);
        _sites = new Dictionary<string, string>(StringComparer.Ordinal) { [nodeId] = site };
        Snapshot = RoutingSnapshot.Initial(nodeId, _linkStates[nodeId], _addressSets[nodeId], _sites);
    }

    public string NodeId { get; }

    /// <summary>
    /// What this node exports and imports (default: everything). Set it before the first event: it is applied as
    /// addresses are set and records arrive, not to what is already known.
    /// </summary>
    public PolicyRules Policy
    {
        get => _policy;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!string.Equals(value.NodeId, NodeId, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The policy is node '{value.NodeId}''s, not '{NodeId}''s.", nameof(value));
            }

            _policy = value;
        }
    }

    /// <summary>The latest computed snapshot; at first only this node.</summary>
    public RoutingSnapshot Snapshot { get; private set; }

    /// <summary>Control messages handed to <see cref="IRoutingProtocolOutput.Send"/> so far.</summary>
    public long MessagesSent { get; private set; }

    /// <summary>The address set stored for <paramref name="origin"/>, if any (the node checks its per-peer address limit against it).</summary>
    public IReadOnlyDictionary<string, int>? StoredAddresses(string origin) => _addressSets.TryGetValue(origin, out var set) ? set.Added : null;

    /// <summary>An inter-node connection to <paramref name="neighbourId"/> is open with its control link ready (or its cost changed).</summary>
    public void NeighbourUp(string neighbourId, int cost)
    {
        ArgumentException.ThrowIfNullOrEmpty(neighbourId);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 1);
        if (string.Equals(neighbourId, NodeId, StringComparison.Ordinal))
        {
            throw new ArgumentException("A node is not its own neighbour.", nameof(neighbourId));
        }

        var now = _time.GetTimestamp();
        if (_neighbours.TryGetValue(neighbourId, out var neighbour))
        {
            neighbour.Cost = cost;
            neighbour.LastHeard = now;
        }
        else
        {
            _neighbours.Add(neighbourId, new Neighbour(cost, now));
        }

        // Even a known neighbour is resynced: NeighbourUp means a new connection, and the old one may have lost messages.
        _pendingSync.Add(neighbourId);
        _ownLinkStateChanged = true;
        _dirty = true;
    }

    /// <summary>The connection to <paramref name="neighbourId"/> closed.</summary>
    public void NeighbourDown(string neighbourId)
    {
        ArgumentNullException.ThrowIfNull(neighbourId);
        if (_neighbours.Remove(neighbourId))
        {
            _pendingSync.Remove(neighbourId);
            _ownLinkStateChanged = true;
            _dirty = true;
        }
    }

    /// <summary>Adds or updates a local address; <paramref name="capacity"/> is the in-flight deliveries this node accepts for it.</summary>
    /// <remarks>An address the export policy lets no node use is not advertised at all (it stays local).</remarks>
    public void SetLocalAddress(string address, int capacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        var known = _localAddresses.TryGetValue(address, out var old);
        if (!known)
        {
            if (!_policy.IsExported(address))
            {
                return;
            }

            _localAudiences[address] = _policy.AudienceOf(address);
        }

        if (!known || old != capacity)
        {
            _localAddresses[address] = capacity;
            _ownAddressesChanged = true;
            _dirty = true;
        }
    }

    public void RemoveLocalAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_localAddresses.Remove(address))
        {
            _localAudiences.Remove(address);
            _ownAddressesChanged = true;
            _dirty = true;
        }
    }

    public void OnControlMessage(string fromNeighbour, ControlMessage message)
    {
        ArgumentNullException.ThrowIfNull(fromNeighbour);
        ArgumentNullException.ThrowIfNull(message);

        // A message racing the close of its connection says nothing reliable; the next connection resyncs.
        if (!_neighbours.TryGetValue(fromNeighbour, out var neighbour))
        {
            return;
        }

        neighbour.LastHeard = _time.GetTimestamp();
        switch (message)
        {
            case HelloMessage hello:
                OnHello(fromNeighbour, hello);
                break;
            case LinkStateMessage linkState:
                OnLinkState(fromNeighbour, linkState);
                break;
            case LinkStateRequest request:
                OnLinkStateRequest(fromNeighbour, request);
                break;
            case AddressMessage addresses:
                OnAddresses(fromNeighbour, addresses);
                break;
            case AddressRequest request:
                OnAddressRequest(fromNeighbour, request);
                break;
        }
    }

    /// <summary>
    /// Periodic work, at least once per hello interval: hellos when due, declaring silent neighbours dead, asking
    /// for records named but never received, and forgetting nodes unreachable for long.
    /// </summary>
    /// <summary>
    /// Something (any frame) arrived from the neighbour: proof of life, noted where it arrives so a backlog of
    /// control messages on a busy node is not mistaken for a silent neighbour.
    /// </summary>
    public void NoteAlive(string neighbourId)
    {
        if (_neighbours.TryGetValue(neighbourId, out var neighbour))
        {
            neighbour.LastHeard = _time.GetTimestamp();
        }
    }

    public void Tick()
    {
        var now = _time.GetTimestamp();
        var deadAfter = _options.HelloInterval * _options.DeadAfterMissedHellos;
        List<string>? dead = null;
        HelloMessage? hello = null;
        foreach (var (id, neighbour) in _neighbours)
        {
            if (_time.GetElapsedTime(neighbour.LastHeard, now) > deadAfter)
            {
                (dead ??= []).Add(id);
                continue;
            }

            // A neighbour awaiting its sync gets everything at the next Recompute; a hello first would only prompt requests.
            if (!_pendingSync.Contains(id)
                && (neighbour.LastHelloSent is not { } sent || _time.GetElapsedTime(sent, now) >= _options.HelloInterval))
            {
                Send(id, hello ??= new HelloMessage(NodeId, _epoch, _lsSeq, _addrSeq));
                neighbour.LastHelloSent = now;
            }
        }

        if (dead is not null)
        {
            foreach (var id in dead)
            {
                _output.NeighbourLost(id, $"no control message for {deadAfter.TotalSeconds:0.###} s ({_options.DeadAfterMissedHellos} hello intervals)");
                NeighbourDown(id);
            }
        }

        RequestMissingLinkStates();
        PurgeUnreachable(now);
    }

    /// <summary>
    /// When anything changed since the last call: sends this node's own updated records and the database to
    /// neighbours that came up, computes routes and destinations, publishes a new snapshot and returns true.
    /// </summary>
    public bool Recompute()
    {
        OriginateLinkState();
        OriginateAddresses();
        SyncNewNeighbours();
        if (!_dirty)
        {
            return false;
        }

        _dirty = false;

        // Address changes alone leave routes as they were; most of a flood is such changes or repeats.
        var routes = _topologyChanged ? RouteComputer.Compute(NodeId, _graph) : Snapshot.Routes;
        if (_sitesChanged && !_policy.ExportsAll)
        {
            // A copy for the snapshots, made only when a node appears, changes site or is forgotten, and only for a node
            // that checks the sites of ingress nodes (its export policy depends on them).
            _sitesChanged = false;
            var sites = new Dictionary<string, string>(_linkStates.Count, StringComparer.Ordinal);
            foreach (var (id, linkState) in _linkStates)
            {
                sites[id] = linkState.Site;
            }

            _sites = sites;
        }

        Snapshot = RoutingSnapshot.Create(Snapshot, routes, _linkStates, _addressSets, _addressOrigins, _touchedAddresses, _sites);
        _touchedAddresses.Clear();
        if (_topologyChanged)
        {
            _topologyChanged = false;
            TrackUnreachable(routes);
        }

        _output.SnapshotChanged(Snapshot);
        return true;
    }

    private static bool IsNewer(long epoch, long seq, long storedEpoch, long storedSeq) =>
        epoch > storedEpoch || (epoch == storedEpoch && seq > storedSeq);

    private void OnHello(string from, HelloMessage hello)
    {
        if (!string.Equals(hello.NodeId, from, StringComparison.Ordinal))
        {
            return;
        }

        // Hellos follow the sender's own updates on the same ordered link, so being behind here means one was lost.
        if (!_linkStates.TryGetValue(from, out var linkState) || IsNewer(hello.Epoch, hello.LsSeq, linkState.Epoch, linkState.Seq))
        {
            Send(from, new LinkStateRequest(from));
        }

        if (!_addressSets.TryGetValue(from, out var addresses) || IsNewer(hello.Epoch, hello.AddrSeq, addresses.Epoch, addresses.Seq))
        {
            RequestAddresses(from, from);
        }
    }

    private void OnLinkState(string from, LinkStateMessage message)
    {
        if (string.Equals(message.Origin, NodeId, StringComparison.Ordinal))
        {
            OnOwnLinkStateEcho(message);
            return;
        }

        if (_linkStates.TryGetValue(message.Origin, out var stored) && !IsNewer(message.Epoch, message.Seq, stored.Epoch, stored.Seq))
        {
            // Already known: this is what ends a flood.
            return;
        }

        _linkStates[message.Origin] = message;
        _graph[message.Origin] = message.Neighbours;
        _topologyChanged = true;
        if (stored is null || !string.Equals(stored.Site, message.Site, StringComparison.Ordinal))
        {
            _sitesChanged = true;
            if (!_policy.ImportsAll && _addressSets.TryGetValue(message.Origin, out var addresses))
            {
                // The import policy may look at the origin's site, known only now (or changed): decide again.
                StoreAddressSet(message.Origin, addresses);
            }
        }

        _missingLinkStates.Remove(message.Origin);
        foreach (var id in message.Neighbours.Keys)
        {
            if (!_linkStates.ContainsKey(id))
            {
                _missingLinkStates.TryAdd(id, from);
            }
        }

        Flood(message, from);
        _dirty = true;
    }

    private void OnLinkStateRequest(string from, LinkStateRequest request)
    {
        if (request.Origin.Length == 0)
        {
            foreach (var linkState in _linkStates.Values)
            {
                Send(from, linkState);
            }
        }
        else if (_linkStates.TryGetValue(request.Origin, out var linkState))
        {
            Send(from, linkState);
        }
    }

    private void OnAddresses(string from, AddressMessage message)
    {
        if (string.Equals(message.Origin, NodeId, StringComparison.Ordinal))
        {
            OnOwnAddressesEcho(message);
            return;
        }

        _addressSets.TryGetValue(message.Origin, out var stored);
        if (stored is not null && !IsNewer(message.Epoch, message.Seq, stored.Epoch, stored.Seq))
        {
            return;
        }

        AddressMessage updated;
        if (message.Full)
        {
            updated = message;
        }
        else if (stored is not null && stored.Epoch == message.Epoch && stored.Seq == message.Seq - 1)
        {
            updated = message.ApplyTo(stored);
        }
        else
        {
            // A change to a set we do not hold at Seq-1 cannot be applied; not forwarding it keeps the gap from
            // spreading, and the full set we ask for is flooded on when it comes.
            RequestAddresses(from, message.Origin);
            return;
        }

        StoreAddressSet(message.Origin, updated);
        _addressRequested.Remove(message.Origin);

        // Forwarded as received: neighbours hold the same Seq-1 set as this node did, or ask as this node would.
        Flood(message, from);
        _dirty = true;
    }

    private void OnAddressRequest(string from, AddressRequest request)
    {
        if (request.Origin.Length == 0)
        {
            foreach (var addresses in _addressSets.Values)
            {
                Send(from, addresses);
            }
        }
        else if (_addressSets.TryGetValue(request.Origin, out var addresses))
        {
            Send(from, addresses);
        }
    }

    /// <summary>
    /// A record of this node newer than its own means an earlier run of the node (same id) used a higher epoch or
    /// sequence, e.g. after its clock stepped back; jump past it so the current records win again.
    /// </summary>
    private void OnOwnLinkStateEcho(LinkStateMessage message)
    {
        var own = _linkStates[NodeId];
        if (!IsNewer(message.Epoch, message.Seq, own.Epoch, own.Seq))
        {
            return;
        }

        AdoptEpoch(message.Epoch);
        if (message.Epoch == _epoch && message.Seq > _lsSeq)
        {
            _lsSeq = message.Seq;
        }

        _ownLinkStateChanged = true;
        _dirty = true;
    }

    private void OnOwnAddressesEcho(AddressMessage message)
    {
        var own = _addressSets[NodeId];
        if (!IsNewer(message.Epoch, message.Seq, own.Epoch, own.Seq))
        {
            return;
        }

        AdoptEpoch(message.Epoch);
        if (message.Epoch == _epoch && message.Seq > _addrSeq)
        {
            _addrSeq = message.Seq;
        }

        _ownAddressesFull = true;
        _dirty = true;
    }

    private void AdoptEpoch(long epoch)
    {
        if (epoch > _epoch)
        {
            _epoch = epoch;
            _lsSeq = 0;
            _addrSeq = 0;
            _ownLinkStateChanged = true;
            _ownAddressesFull = true;
        }
    }

    private void OriginateLinkState()
    {
        if (!_ownLinkStateChanged)
        {
            return;
        }

        _ownLinkStateChanged = false;
        var own = _linkStates[NodeId];
        if (own.Epoch == _epoch && own.Seq == _lsSeq && SameCosts(own.Neighbours))
        {
            // Down and up again within one batch: nothing to tell.
            return;
        }

        var neighbours = new Dictionary<string, int>(_neighbours.Count, StringComparer.Ordinal);
        foreach (var (id, neighbour) in _neighbours)
        {
            neighbours.Add(id, neighbour.Cost);
        }

        var message = new LinkStateMessage(NodeId, _epoch, ++_lsSeq, _site, neighbours);
        _linkStates[NodeId] = message;
        _graph[NodeId] = neighbours;
        _topologyChanged = true;
        Flood(message, except: null);
        _dirty = true;
    }

    private bool SameCosts(IReadOnlyDictionary<string, int> advertised)
    {
        if (advertised.Count != _neighbours.Count)
        {
            return false;
        }

        foreach (var (id, neighbour) in _neighbours)
        {
            if (!advertised.TryGetValue(id, out var cost) || cost != neighbour.Cost)
            {
                return false;
            }
        }

        return true;
    }

    private void OriginateAddresses()
    {
        if (!_ownAddressesChanged && !_ownAddressesFull)
        {
            return;
        }

        var published = _addressSets[NodeId];
        var full = _ownAddressesFull || published.Epoch != _epoch;
        _ownAddressesChanged = false;
        _ownAddressesFull = false;

        Dictionary<string, int>? added = null;
        List<string>? removed = null;
        if (!full)
        {
            foreach (var (address, capacity) in _localAddresses)
            {
                if (!published.Added.TryGetValue(address, out var old) || old != capacity)
                {
                    (added ??= new(StringComparer.Ordinal))[address] = capacity;
                }
            }

            foreach (var address in published.Added.Keys)
            {
                if (!_localAddresses.ContainsKey(address))
                {
                    (removed ??= []).Add(address);
                }
            }

            if (added is null && removed is null)
            {
                return;
            }
        }

        var set = new Dictionary<string, int>(_localAddresses, StringComparer.Ordinal);
        var seq = ++_addrSeq;
        var stored = new AddressMessage(NodeId, _epoch, seq, full: true, set, [], LocalAudiences(set));
        _addressSets[NodeId] = stored;
        Flood(full ? stored : new AddressMessage(NodeId, _epoch, seq, full: false, added ?? [], removed ?? [], LocalAudiences(added)), except: null);
        _dirty = true;
    }

    /// <summary>The audiences of those of <paramref name="addresses"/> that have one; null when none has (the usual case).</summary>
    private Dictionary<string, IReadOnlyList<string>>? LocalAudiences(Dictionary<string, int>? addresses)
    {
        if (_policy.ExportsAll || addresses is null)
        {
            return null;
        }

        Dictionary<string, IReadOnlyList<string>>? audiences = null;
        foreach (var address in addresses.Keys)
        {
            if (_localAudiences.TryGetValue(address, out var entries) && entries is not null)
            {
                (audiences ??= new(StringComparer.Ordinal))[address] = entries;
            }
        }

        return audiences;
    }

    private void SyncNewNeighbours()
    {
        if (_pendingSync.Count == 0)
        {
            return;
        }

        foreach (var id in _pendingSync)
        {
            foreach (var linkState in _linkStates.Values)
            {
                Send(id, linkState);
            }

            foreach (var addresses in _addressSets.Values)
            {
                Send(id, addresses);
            }
        }

        _pendingSync.Clear();
    }

    private void RequestAddresses(string from, string origin)
    {
        var now = _time.GetTimestamp();
        if (_addressRequested.TryGetValue(origin, out var at) && _time.GetElapsedTime(at, now) < _options.HelloInterval)
        {
            return;
        }

        _addressRequested[origin] = now;
        Send(from, new AddressRequest(origin));
    }

    private void RequestMissingLinkStates()
    {
        if (_missingLinkStates.Count == 0)
        {
            return;
        }

        // Asked once per naming: a node named but never heard of is most likely gone, and a record naming it again
        // brings it back here.
        foreach (var (origin, via) in _missingLinkStates)
        {
            if (!_linkStates.ContainsKey(origin) && _neighbours.ContainsKey(via))
            {
                Send(via, new LinkStateRequest(origin));
            }
        }

        _missingLinkStates.Clear();
    }

    private void TrackUnreachable(IReadOnlyDictionary<string, (string NextHop, int Cost)> routes)
    {
        var now = _time.GetTimestamp();
        foreach (var id in _linkStates.Keys)
        {
            Track(id);
        }

        foreach (var id in _addressSets.Keys)
        {
            Track(id);
        }

        if (_unreachableSince.Count > 0)
        {
            List<string>? gone = null;
            foreach (var id in _unreachableSince.Keys)
            {
                if (routes.ContainsKey(id) || (!_linkStates.ContainsKey(id) && !_addressSets.ContainsKey(id)))
                {
                    (gone ??= []).Add(id);
                }
            }

            gone?.ForEach(id => _unreachableSince.Remove(id));
        }

        void Track(string id)
        {
            if (!routes.ContainsKey(id) && !string.Equals(id, NodeId, StringComparison.Ordinal))
            {
                _unreachableSince.TryAdd(id, now);
            }
        }
    }

    private void PurgeUnreachable(long now)
    {
        List<string>? purge = null;
        foreach (var (id, since) in _unreachableSince)
        {
            if (_time.GetElapsedTime(since, now) > _options.PurgeUnreachableAfter)
            {
                (purge ??= []).Add(id);
            }
        }

        if (purge is null)
        {
            return;
        }

        foreach (var id in purge)
        {
            _unreachableSince.Remove(id);
            _linkStates.Remove(id);
            _graph.Remove(id);
            StoreAddressSet(id, null);
            _addressRequested.Remove(id);
            _reportedIgnored.RemoveWhere(r => string.Equals(r.Origin, id, StringComparison.Ordinal));
        }

        _sitesChanged = true;

        _topologyChanged = true;

        _dirty = true;
    }

    /// <summary>
    /// Replaces (or with null removes) a remote origin's address set, keeping the address index in step. Only the
    /// addresses this node may use are indexed (<see cref="Uses"/>): the others are as if the origin did not serve them.
    /// </summary>
    private void StoreAddressSet(string origin, AddressMessage? set)
    {
        if (_addressSets.TryGetValue(origin, out var old))
        {
            foreach (var address in old.Added.Keys)
            {
                if (set is null || !set.Added.ContainsKey(address))
                {
                    Unindex(origin, address);
                }

                _touchedAddresses.Add(address);
            }
        }

        if (set is null)
        {
            _addressSets.Remove(origin);
            return;
        }

        _addressSets[origin] = set;
        var site = _linkStates.TryGetValue(origin, out var linkState) ? linkState.Site : null;
        foreach (var address in set.Added.Keys)
        {
            _touchedAddresses.Add(address);
            if (!Uses(origin, site, set, address))
            {
                Unindex(origin, address);
                continue;
            }

            if (!_addressOrigins.TryGetValue(address, out var origins))
            {
                _addressOrigins[address] = origins = new HashSet<string>(StringComparer.Ordinal);
            }

            origins.Add(origin);
        }

        if (!Snapshot.Routes.ContainsKey(origin))
        {
            // Routes only change with the topology, which tracks reachability itself.
            _unreachableSince.TryAdd(origin, _time.GetTimestamp());
        }
    }

    private void Unindex(string origin, string address)
    {
        if (_addressOrigins.TryGetValue(address, out var origins) && origins.Remove(origin) && origins.Count == 0)
        {
            _addressOrigins.Remove(address);
        }
    }

    /// <summary>
    /// Whether this node may use <paramref name="origin"/>'s <paramref name="address"/>: the origin exports it to this
    /// node (its audience) and this node's import policy accepts it from that origin. With the import policy restricted,
    /// an origin whose site is not known yet is not used until its link-state record brings the site (it has no route
    /// before that anyway). Addresses refused by the import policy are reported once per origin and address.
    /// </summary>
    private bool Uses(string origin, string? site, AddressMessage set, string address)
    {
        if (set.AudienceOf(address) is { } audience && !PolicyRules.AudienceAllows(audience, NodeId, _site))
        {
            return false;
        }

        if (_policy.ImportsAll)
        {
            return true;
        }

        if (site is null)
        {
            return false;
        }

        if (_policy.Imports(origin, site, address))
        {
            return true;
        }

        if (_reportedIgnored.Add((origin, address)))
        {
            _output.AddressIgnored(origin, site, address);
        }

        return false;
    }

    private void Flood(ControlMessage message, string? except)
    {
        foreach (var id in _neighbours.Keys)
        {
            if (!string.Equals(id, except, StringComparison.Ordinal) && !_pendingSync.Contains(id))
            {
                Send(id, message);
            }
        }
    }

    private void Send(string neighbourId, ControlMessage message)
    {
        MessagesSent++;
        _output.Send(neighbourId, message);
    }

    private sealed class Neighbour(int cost, long lastHeard)
    {
        public int Cost { get; set; } = cost;

        /// <summary>Timestamp of the last control message from it, or of NeighbourUp.</summary>
        public long LastHeard { get; set; } = lastHeard;

        public long? LastHelloSent { get; set; }
    }
}
