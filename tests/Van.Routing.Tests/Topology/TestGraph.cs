using Van.Routing.Internal.Topology;

namespace Van.Routing.Tests.Topology;

/// <summary>Random undirected graphs and a reference all-pairs shortest path to check routes against.</summary>
internal static class TestGraph
{
    public static string Id(int i) => $"n{i:D4}";

    /// <summary>A connected graph: a random spanning tree plus <paramref name="extraEdges"/> random chords.</summary>
    public static Dictionary<string, Dictionary<string, int>> RandomConnected(Random rng, int nodes, int extraEdges, int maxCost)
    {
        var graph = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        for (var i = 0; i < nodes; i++)
        {
            graph[Id(i)] = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        for (var i = 1; i < nodes; i++)
        {
            AddEdge(graph, Id(i), Id(rng.Next(i)), rng.Next(1, maxCost + 1));
        }

        for (var e = 0; e < extraEdges && nodes > 1; e++)
        {
            var a = rng.Next(nodes);
            var b = rng.Next(nodes);
            if (a != b)
            {
                AddEdge(graph, Id(a), Id(b), rng.Next(1, maxCost + 1));
            }
        }

        return graph;
    }

    public static void AddEdge(Dictionary<string, Dictionary<string, int>> graph, string a, string b, int cost)
    {
        graph[a][b] = cost;
        graph[b][a] = cost;
    }

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> AsLsdb(Dictionary<string, Dictionary<string, int>> graph) =>
        graph.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, int>)kv.Value, StringComparer.Ordinal);

    /// <summary>Floyd–Warshall over a symmetric graph; long.MaxValue where there is no path.</summary>
    public static (string[] Ids, Dictionary<string, int> Index, long[,] Dist) AllPairs(Dictionary<string, Dictionary<string, int>> graph)
    {
        var ids = graph.Keys.ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            index[ids[i]] = i;
        }

        var n = ids.Length;
        var dist = new long[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                dist[i, j] = i == j ? 0 : long.MaxValue;
            }

            foreach (var (b, cost) in graph[ids[i]])
            {
                dist[i, index[b]] = Math.Min(dist[i, index[b]], cost);
            }
        }

        for (var k = 0; k < n; k++)
        {
            for (var i = 0; i < n; i++)
            {
                var ik = dist[i, k];
                if (ik == long.MaxValue)
                {
                    continue;
                }

                for (var j = 0; j < n; j++)
                {
                    var kj = dist[k, j];
                    if (kj != long.MaxValue && ik + kj < dist[i, j])
                    {
                        dist[i, j] = ik + kj;
                    }
                }
            }
        }

        return (ids, index, dist);
    }
}
