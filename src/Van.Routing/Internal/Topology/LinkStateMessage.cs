namespace Van.Routing.Internal.Topology;

/// <summary>
/// A link-state record: the origin's neighbours and their costs at (Epoch, Seq). Flooded on change; the stored
/// record of each origin is the newest seen, and is what join syncs and requests are answered with.
/// </summary>
internal sealed class LinkStateMessage : ControlMessage
{
    /// <remarks>The neighbours map is taken as is, not copied: the caller hands it over and must not change it.</remarks>
    public LinkStateMessage(string origin, long epoch, long seq, string site, IReadOnlyDictionary<string, int> neighbours)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(neighbours);
        Origin = origin;
        Epoch = epoch;
        Seq = seq;
        Site = site;
        Neighbours = neighbours;
    }

    public string Origin { get; }

    public long Epoch { get; }

    public long Seq { get; }

    public string Site { get; }

    /// <summary>Neighbour id to link cost (at least 1).</summary>
    public IReadOnlyDictionary<string, int> Neighbours { get; }

    public override string Kind => LinkStateSubject;

    public override string ToString() => $"lsr {Origin} e{Epoch} s{Seq} [{string.Join(",", Neighbours.Select(n => $"{n.Key}:{n.Value}"))}]";

    internal static LinkStateMessage FromFields(List<object?> fields) => new(
        ReadString(fields, 0, "origin", allowEmpty: false),
        ReadLong(fields, 1, "epoch"),
        ReadLong(fields, 2, "seq"),
        ReadString(fields, 3, "site", allowEmpty: true),
        ReadIntMap(fields, 4, "neighbours", minValue: 1));

    private protected override List<object?> ToFields() => [Origin, Epoch, Seq, Site, ToMap(Neighbours)];
}
