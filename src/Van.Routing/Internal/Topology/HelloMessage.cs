namespace Van.Routing.Internal.Topology;

/// <summary>
/// Sent on every inter-node link each hello interval: proves the sender alive and tells where its own records are,
/// so a receiver that missed an update notices and asks for it.
/// </summary>
internal sealed class HelloMessage : ControlMessage
{
    public HelloMessage(string nodeId, long epoch, long lsSeq, long addrSeq)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        NodeId = nodeId;
        Epoch = epoch;
        LsSeq = lsSeq;
        AddrSeq = addrSeq;
    }

    public string NodeId { get; }

    public long Epoch { get; }

    public long LsSeq { get; }

    public long AddrSeq { get; }

    public override string Kind => HelloSubject;

    public override string ToString() => $"hello {NodeId} e{Epoch} ls{LsSeq} addr{AddrSeq}";

    internal static HelloMessage FromFields(List<object?> fields) => new(
        ReadString(fields, 0, "node-id", allowEmpty: false),
        ReadLong(fields, 1, "epoch"),
        ReadLong(fields, 2, "ls-seq"),
        ReadLong(fields, 3, "addr-seq"));

    private protected override List<object?> ToFields() => [NodeId, Epoch, LsSeq, AddrSeq];
}
