namespace Van.Routing.Internal;

/// <summary>
/// A small pool of objects that repeat per message (a message being routed, pending calls, replies, their buffers): a
/// bounded stack under a lock held for a few instructions. Objects come back from other threads (an outcome arrives
/// on another connection's reader loop), so a per-thread cache would rarely hit. An object returned to a full pool is
/// the caller's to drop. Van.Hosting compiles this same file (internal to each assembly).
/// </summary>
internal sealed class ObjectStack<T>(int capacity)
    where T : class
{
    private readonly T?[] _items = new T?[capacity];
    private int _count;

    /// <summary>A pooled object, or null when the pool is empty (the caller makes a new one).</summary>
    public T? Rent()
    {
        lock (_items)
        {
            if (_count == 0)
            {
                return null;
            }

            var item = _items[--_count];
            _items[_count] = null;
            return item;
        }
    }

    /// <summary>Keeps <paramref name="item"/> for a later <see cref="Rent"/>; false when the pool is full.</summary>
    public bool Return(T item)
    {
        lock (_items)
        {
            if (_count == _items.Length)
            {
                return false;
            }

            _items[_count++] = item;
            return true;
        }
    }
}
