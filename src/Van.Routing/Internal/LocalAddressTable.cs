using System.Collections.Concurrent;

namespace Van.Routing.Internal;

/// <summary>
/// Address → the consumers on this node. Reads (every message) are lock-free; each address's consumers are a
/// copy-on-write array replaced under a lock on attach/detach.
/// </summary>
internal sealed class LocalAddressTable
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, Consumer[]> _map = new(StringComparer.Ordinal);

    public Consumer[] Get(string address) => _map.TryGetValue(address, out var c) ? c : [];

    public ICollection<string> Addresses => _map.Keys;

    /// <summary>Adds; returns the address's total capacity afterwards.</summary>
    public int Add(Consumer consumer)
    {
        lock (_lock)
        {
            Consumer[] next = [.. Get(consumer.Address), consumer];
            _map[consumer.Address] = next;
            return next.Sum(c => c.Capacity);
        }
    }

    /// <summary>Removes; returns the address's total capacity afterwards (0 when none is left).</summary>
    public int Remove(Consumer consumer)
    {
        lock (_lock)
        {
            var remaining = Get(consumer.Address).Where(c => c != consumer).ToArray();
            if (remaining.Length == 0)
            {
                _map.TryRemove(consumer.Address, out _);
            }
            else
            {
                _map[consumer.Address] = remaining;
            }

            return remaining.Sum(c => c.Capacity);
        }
    }
}
