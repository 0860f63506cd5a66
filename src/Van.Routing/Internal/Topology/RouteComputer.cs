namespace Van.Routing.Internal.Topology;

/// <summary>Shortest paths over a link-state database (Dijkstra with a binary heap, O(E log V)).</summary>
internal static class RouteComputer
{
    /// <summary>
    /// Next hop and path cost from <paramref name="self"/> to every node it can reach (self excluded). An edge
    /// counts only when both ends list each other, since one side's record may be stale; when their costs differ
    /// the larger is used, so neither side routes more cheaply than the other agrees to. Equal-cost paths go
    /// through the ordinally smallest next hop, so every node computes the same answer from the same database.
    /// </summary>
    /// <param name="self">The node routes start from.</param>
    /// <param name="lsdb">Node id to its advertised neighbours and costs; costs below 1 are ignored.</param>
    public static IReadOnlyDictionary<string, (string NextHop, int Cost)> Compute(
        string self, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> lsdb)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(lsdb);
        if (!lsdb.TryGetValue(self, out var selfLinks))
        {
            return new Dictionary<string, (string NextHop, int Cost)>(StringComparer.Ordinal);
        }

        return new Search(lsdb, self, selfLinks).Run();
    }

    /// <summary>
    /// One run. Nodes are numbered as the search finds them, so the work is bounded by the reachable part; only
    /// nodes with a record get a number, so the record count bounds the arrays.
    /// </summary>
    private sealed class Search
    {
        private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> _lsdb;
        private readonly Dictionary<string, int> _index;
        private readonly string[] _ids;
        private readonly IReadOnlyDictionary<string, int>[] _links;
        private readonly long[] _dist;
        private readonly int[] _hop;
        private readonly bool[] _settled;
        private readonly PriorityQueue<int, long> _queue = new();
        private int _count = 1;

        public Search(IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> lsdb, string self, IReadOnlyDictionary<string, int> selfLinks)
        {
            var capacity = lsdb.Count;
            _lsdb = lsdb;
            _index = new Dictionary<string, int>(capacity, StringComparer.Ordinal) { [self] = 0 };
            _ids = new string[capacity];
            _links = new IReadOnlyDictionary<string, int>[capacity];
            _dist = new long[capacity];
            _hop = new int[capacity];
            _settled = new bool[capacity];
            _ids[0] = self;
            _links[0] = selfLinks;
            _hop[0] = -1;
        }

        public Dictionary<string, (string NextHop, int Cost)> Run()
        {
            _queue.Enqueue(0, 0);
            while (_queue.TryDequeue(out var u, out var d))
            {
                if (_settled[u] || d > _dist[u])
                {
                    continue;
                }

                _settled[u] = true;
                if (_links[u] is Dictionary<string, int> concrete)
                {
                    // The usual case, enumerated without boxing an enumerator per node.
                    foreach (var (v, cost) in concrete)
                    {
                        Relax(u, d, v, cost);
                    }
                }
                else
                {
                    foreach (var (v, cost) in _links[u])
                    {
                        Relax(u, d, v, cost);
                    }
                }
            }

            var routes = new Dictionary<string, (string NextHop, int Cost)>(_count, StringComparer.Ordinal);
            for (var i = 1; i < _count; i++)
            {
                if (_settled[i])
                {
                    routes.Add(_ids[i], (_ids[_hop[i]], (int)Math.Min(_dist[i], int.MaxValue)));
                }
            }

            return routes;
        }

        private void Relax(int u, long d, string vid, int cost)
        {
            var uid = _ids[u];
            if (cost < 1
                || string.Equals(vid, uid, StringComparison.Ordinal)
                || !_lsdb.TryGetValue(vid, out var back)
                || !back.TryGetValue(uid, out var backCost)
                || backCost < 1)
            {
                return;
            }

            if (!_index.TryGetValue(vid, out var v))
            {
                v = _count++;
                _index.Add(vid, v);
                _ids[v] = vid;
                _links[v] = back;
                _dist[v] = long.MaxValue;
                _hop[v] = -1;
            }
            else if (_settled[v])
            {
                // Costs are at least 1, so every shortest-path predecessor of v settled before v did.
                return;
            }

            var nd = d + Math.Max(cost, backCost);
            var nh = u == 0 ? v : _hop[u];
            if (nd < _dist[v])
            {
                _dist[v] = nd;
                _hop[v] = nh;
                _queue.Enqueue(v, nd);
            }
            else if (nd == _dist[v] && string.CompareOrdinal(_ids[nh], _ids[_hop[v]]) < 0)
            {
                _hop[v] = nh;
            }
        }
    }
}
