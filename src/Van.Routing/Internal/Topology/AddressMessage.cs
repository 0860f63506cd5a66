namespace Van.Routing.Internal.Topology;

/// <summary>
/// The addresses an origin serves, as the full set (<see cref="Full"/>: <see cref="Added"/> is the whole set and
/// replaces what is stored) or as the change from Seq-1 to Seq. A stored address set is always a Full message.
/// </summary>
/// <remarks>
/// Wire fields: origin, epoch, seq, full, added (address → capacity), removed, and, only when some address has one,
/// audiences (address → list of "+pattern"/"-pattern" entries, see <see cref="PolicyRules"/>). An address without an
/// audience entry may be used by every node; a decoder that predates audiences ignores the field.
/// </remarks>
internal sealed class AddressMessage : ControlMessage
{
    /// <summary>Most entries one address's audience may carry.</summary>
    public const int MaxAudienceEntries = PolicyRules.MaxRules + 1;

    private static readonly Dictionary<string, IReadOnlyList<string>> NoAudiences = new(StringComparer.Ordinal);

    /// <remarks>The collections are taken as is, not copied: the caller hands them over and must not change them.</remarks>
    public AddressMessage(
        string origin,
        long epoch,
        long seq,
        bool full,
        IReadOnlyDictionary<string, int> added,
        IReadOnlyList<string> removed,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? audiences = null)
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
        Audiences = audiences ?? NoAudiences;
    }

    public string Origin { get; }

    public long Epoch { get; }

    public long Seq { get; }

    public bool Full { get; }

    /// <summary>Address to capacity: new or changed entries, or the whole set when <see cref="Full"/>.</summary>
    public IReadOnlyDictionary<string, int> Added { get; }

    public IReadOnlyList<string> Removed { get; }

    /// <summary>
    /// Who may use some of the <see cref="Added"/> addresses, when the origin exports them to some nodes only
    /// (<see cref="PolicyRules.AudienceAllows"/>); addresses not listed may be used by every node. Usually empty.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Audiences { get; }

    public override string Kind => AddressSubject;

    public override string ToString() =>
        $"addr {Origin} e{Epoch} s{Seq}{(Full ? " full" : "")} +[{string.Join(",", Added.Keys)}] -[{string.Join(",", Removed)}]"
        + (Audiences.Count == 0 ? "" : $" audiences[{string.Join(",", Audiences.Select(a => $"{a.Key}:{string.Join(" ", a.Value)}"))}]");

    /// <summary>The audience of <paramref name="address"/>, or null when every node may use it.</summary>
    public IReadOnlyList<string>? AudienceOf(string address) =>
        Audiences.Count > 0 && Audiences.TryGetValue(address, out var entries) && entries.Count > 0 ? entries : null;

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

        // An address's audience comes with its newest entry: kept for those this message leaves alone.
        Dictionary<string, IReadOnlyList<string>>? audiences = null;
        if (stored.Audiences.Count > 0 || Audiences.Count > 0)
        {
            audiences = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var (address, entries) in stored.Audiences)
            {
                if (set.ContainsKey(address) && !Added.ContainsKey(address))
                {
                    audiences[address] = entries;
                }
            }

            foreach (var (address, entries) in Audiences)
            {
                if (Added.ContainsKey(address))
                {
                    audiences[address] = entries;
                }
            }
        }

        return new AddressMessage(Origin, Epoch, Seq, full: true, set, [], audiences is { Count: > 0 } ? audiences : null);
    }

    internal static AddressMessage FromFields(List<object?> fields) => new(
        ReadString(fields, 0, "origin", allowEmpty: false),
        ReadLong(fields, 1, "epoch"),
        ReadLong(fields, 2, "seq"),
        ReadBool(fields, 3, "full"),
        ReadIntMap(fields, 4, "added", minValue: 0),
        ReadStringList(fields, 5, "removed"),
        ReadAudiences(fields, 6));

    private protected override List<object?> ToFields()
    {
        var removed = new List<object?>(Removed.Count);
        foreach (var address in Removed)
        {
            removed.Add(address);
        }

        List<object?> fields = [Origin, Epoch, Seq, Full, ToMap(Added), removed];
        if (Audiences.Count > 0)
        {
            var map = new Dictionary<object, object?>(Audiences.Count);
            foreach (var (address, entries) in Audiences)
            {
                var list = new List<object?>(entries.Count);
                foreach (var entry in entries)
                {
                    list.Add(entry);
                }

                map[address] = list;
            }

            fields.Add(map);
        }

        return fields;
    }

    /// <summary>The optional audiences field: absent or null reads as none.</summary>
    private static Dictionary<string, IReadOnlyList<string>>? ReadAudiences(List<object?> fields, int index)
    {
        if (index >= fields.Count || fields[index] is null)
        {
            return null;
        }

        if (fields[index] is not Dictionary<object, object?> map)
        {
            throw new FormatException($"The control message's 'audiences' is {fields[index]!.GetType().Name}, not a map.");
        }

        if (map.Count == 0)
        {
            return null;
        }

        var result = new Dictionary<string, IReadOnlyList<string>>(map.Count, StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            if (key is not string { Length: > 0 } address)
            {
                throw new FormatException("A key of the control message's 'audiences' is not a non-empty string.");
            }

            if (value is not List<object?> list || list.Count > MaxAudienceEntries)
            {
                throw new FormatException($"The audience of '{address}' is not a list of at most {MaxAudienceEntries} entries.");
            }

            var entries = new string[list.Count];
            for (var i = 0; i < list.Count; i++)
            {
                entries[i] = list[i] is string { Length: > 1 } entry && entry[0] is PolicyRules.AllowEntry or PolicyRules.DenyEntry
                    ? entry
                    : throw new FormatException($"An entry of the audience of '{address}' is not \"+pattern\" or \"-pattern\".");
            }

            result[address] = entries;
        }

        return result;
    }
}
