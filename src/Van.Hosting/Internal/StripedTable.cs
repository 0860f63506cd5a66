namespace Van.Internal;

/// <summary>
/// A concurrent map for entries that come and go with every call (pending calls by id, running handlers by caller):
/// a few dictionaries, each under its own lock held for one lookup. A dictionary reuses the entries removals free, so
/// once the table has grown to the calls in flight an add allocates nothing, where a
/// <see cref="System.Collections.Concurrent.ConcurrentDictionary{TKey, TValue}"/> allocates a node per add.
/// </summary>
internal sealed class StripedTable<TKey, TValue>
    where TKey : notnull
{
    /// <summary>A power of two: more than the cores that contend on a busy node, few enough to stay small when idle.</summary>
    private const int StripeCount = 16;

    private readonly Stripe[] _stripes = new Stripe[StripeCount];
    private readonly IEqualityComparer<TKey> _comparer;
    private int _count;

    /// <param name="comparer">The keys' comparer (the default when null); it picks the stripe too.</param>
    public StripedTable(IEqualityComparer<TKey>? comparer = null)
    {
        _comparer = comparer ?? EqualityComparer<TKey>.Default;
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new Stripe(_comparer);
        }
    }

    public int Count => Volatile.Read(ref _count);

    public bool IsEmpty => Count == 0;

    /// <summary>Adds <paramref name="key"/>; false (and nothing changes) when it is there already.</summary>
    public bool TryAdd(TKey key, TValue value)
    {
        var stripe = StripeOf(key);
        lock (stripe.Gate)
        {
            if (!stripe.Map.TryAdd(key, value))
            {
                return false;
            }
        }

        Interlocked.Increment(ref _count);
        return true;
    }

    public bool TryGetValue(TKey key, out TValue value)
    {
        var stripe = StripeOf(key);
        lock (stripe.Gate)
        {
            return stripe.Map.TryGetValue(key, out value!);
        }
    }

    public bool TryRemove(TKey key)
    {
        var stripe = StripeOf(key);
        lock (stripe.Gate)
        {
            if (!stripe.Map.Remove(key))
            {
                return false;
            }
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>A copy of the entries at one moment per stripe (for shutdown, not the hot path).</summary>
    public List<KeyValuePair<TKey, TValue>> Snapshot()
    {
        var entries = new List<KeyValuePair<TKey, TValue>>();
        foreach (var stripe in _stripes)
        {
            lock (stripe.Gate)
            {
                entries.AddRange(stripe.Map);
            }
        }

        return entries;
    }

    private Stripe StripeOf(TKey key) => _stripes[(uint)_comparer.GetHashCode(key) & (StripeCount - 1)];

    private sealed class Stripe(IEqualityComparer<TKey> comparer)
    {
        public Lock Gate { get; } = new();

        public Dictionary<TKey, TValue> Map { get; } = new(comparer);
    }
}
