using System.Runtime.InteropServices;

namespace Van.Routing.Internal;

/// <summary>
/// The next hops of one multicast message, each with the destination nodes reached through it (in the order first
/// seen). Reused from message to message, one per thread while it routes, rather than a dictionary and lists per publish.
/// </summary>
internal sealed class MulticastHops
{
    [ThreadStatic]
    private static MulticastHops? t_spare;

    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<string> _hops = [];
    private readonly List<List<string>> _nodes = [];

    public int Count => _index.Count;

    /// <summary>This thread's empty instance (a fresh one if routing on this thread is already using it).</summary>
    public static MulticastHops Rent()
    {
        var hops = t_spare ?? new MulticastHops();
        t_spare = null;
        return hops;
    }

    /// <summary>Empties <paramref name="hops"/> and keeps it for the thread's next message.</summary>
    public static void Return(MulticastHops hops)
    {
        hops.Clear();
        t_spare = hops;
    }

    public string HopAt(int i) => _hops[i];

    public ReadOnlySpan<string> NodesAt(int i) => CollectionsMarshal.AsSpan(_nodes[i]);

    /// <summary>Adds <paramref name="node"/> to the destinations reached through <paramref name="hop"/>.</summary>
    public void Add(string hop, string node)
    {
        if (!_index.TryGetValue(hop, out var i))
        {
            i = _index.Count;
            _index.Add(hop, i);
            if (i == _hops.Count)
            {
                _hops.Add(hop);
                _nodes.Add([]);
            }
            else
            {
                _hops[i] = hop;
            }
        }

        _nodes[i].Add(node);
    }

    private void Clear()
    {
        for (var i = 0; i < _index.Count; i++)
        {
            _nodes[i].Clear();
            _hops[i] = "";
        }

        _index.Clear();
    }
}
