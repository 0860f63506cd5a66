namespace Van.Routing.Benchmarks;

/// <summary>Connected random graphs for simulations (shared with the routing tests).</summary>
internal static class RandomGraph
{
    /// <summary>A random spanning tree over <paramref name="nodes"/> plus <paramref name="extraEdges"/> random extra edges; costs 1–9.</summary>
    public static List<(int From, int To, int Cost)> Create(int nodes, int extraEdges, Random random)
    {
        var edges = new List<(int, int, int)>();
        var seen = new HashSet<(int, int)>();
        for (var i = 1; i < nodes; i++)
        {
            var j = random.Next(i);
            edges.Add((i, j, random.Next(1, 10)));
            seen.Add((j, i));
        }

        while (extraEdges > 0)
        {
            var a = random.Next(nodes);
            var b = random.Next(nodes);
            if (a != b && seen.Add((Math.Min(a, b), Math.Max(a, b))))
            {
                edges.Add((a, b, random.Next(1, 10)));
                extraEdges--;
            }
        }

        return edges;
    }
}
