namespace Van.Routing.Internal.Topology;

/// <summary>Asks a neighbour for its stored link-state record of <see cref="Origin"/>, or for all of them when empty.</summary>
internal sealed class LinkStateRequest : ControlMessage
{
    public LinkStateRequest(string origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        Origin = origin;
    }

    public string Origin { get; }

    public override string Kind => LinkStateRequestSubject;

    public override string ToString() => $"lsr-req {Origin}";

    internal static LinkStateRequest FromFields(List<object?> fields) => new(ReadString(fields, 0, "origin", allowEmpty: true));

    private protected override List<object?> ToFields() => [Origin];
}
