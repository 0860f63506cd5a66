namespace Van.Routing.Internal;

/// <summary>
/// Node ids in a routing annotation (<c>dest</c> or <c>trace</c>), in a list reused from message to message: a message
/// that passes a node reads its trace into the same storage as the one before it.
/// </summary>
internal sealed class NodeList
{
    private string[] _items = [];

    public int Count { get; private set; }

    public string this[int index] => (uint)index < (uint)Count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public ReadOnlySpan<string> AsSpan() => _items.AsSpan(0, Count);

    public bool Contains(string nodeId) => AsSpan().Contains(nodeId);

    public void Clear()
    {
        Array.Clear(_items, 0, Count);
        Count = 0;
    }

    public void Add(string nodeId)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, Math.Max(4, _items.Length * 2));
        }

        _items[Count++] = nodeId;
    }

    /// <summary>Makes the list hold just <paramref name="nodeId"/>.</summary>
    public void Set(string nodeId)
    {
        Clear();
        Add(nodeId);
    }
}
