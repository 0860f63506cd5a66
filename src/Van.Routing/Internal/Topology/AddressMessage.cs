namespace Van.Routing.Internal.Topology;

/// <summary>
/// The addresses an origin serves, as the full set (<see cref="Full"/>: <see cref="Added"/> is the whole set and
/// replaces what is stored) or as the change from Seq-1 to Seq. A stored address set is always a Full message.
/// </summary>
internal sealed class AddressMessage : ControlMessage
{
    /// <remarks>The collections are taken as is, not copied: the caller hands them over and must not change them.</remarks>
    public AddressMessage(string origin, long epoch, long seq, bool full, IReadOnlyDictionary<string, int> added, IReadOnlyList<string> removed)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        ArgumentNullException.ThrowIfNull(added);
        ArgumentNullException.ThrowIfNull(removed);
        Origin = origin;
        Epoch = epoch;
        Seq = seq;
        Full = full;
        Added = added;
        Removed = removed;
    }

    public string Origin { get; }

    public long Epoch { get; }

    public long Seq { get; }

    public bool Full { get; }

    /// <summary>Address to capacity: new or changed entries, or the whole set when <see cref="Full"/>.</summary>
    public IReadOnlyDictionary<string, int> Added { get; }

    public IReadOnlyList<string> Removed { get; }

    public override string Kind => AddressSubject;

    public override string ToString() =>
        $"addr {Origin} e{Epoch} s{Seq}{(Full ? " full" : "")} +[{string.Join(",", Added.Keys)}] -[{string.Join(",", Removed)}]";

    /// <summary>The full set this incremental message turns <paramref name="stored"/> into, at this message's Seq.</summary>
    internal AddressMessage ApplyTo(AddressMessage stored)
    {
        var set = new Dictionary<string, int>(stored.Added.Count + Added.Count, StringComparer.Ordinal);
        foreach (var (address, capacity) in stored.Added)
        {
            set[address] = capacity;
        }

        foreach (var address in Removed)
        {
            set.Remove(address);
        }

        foreach (var (address, capacity) in Added)
        {
            set[address] = capacity;
        }

        return new AddressMessage(Origin, Epoch, Seq, full: true, set, []);
    }

    internal static AddressMessage FromFields(List<object?> fields) => new(
        ReadString(fields, 0, "origin", allowEmpty: false),
        ReadLong(fields, 1, "epoch"),
        ReadLong(fields, 2, "seq"),
        ReadBool(fields, 3, "full"),
        ReadIntMap(fields, 4, "added", minValue: 0),
        ReadStringList(fields, 5, "removed"));

    private protected override List<object?> ToFields()
    {
        var removed = new List<object?>(Removed.Count);
        foreach (var address in Removed)
        {
            removed.Add(address);
        }

        return [Origin, Epoch, Seq, Full, ToMap(Added), removed];
    }
}
