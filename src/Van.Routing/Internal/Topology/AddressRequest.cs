namespace Van.Routing.Internal.Topology;

/// <summary>Asks a neighbour for the full address set of <see cref="Origin"/>, or of every origin when empty.</summary>
internal sealed class AddressRequest : ControlMessage
{
    public AddressRequest(string origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        Origin = origin;
    }

    public string Origin { get; }

    public override string Kind => AddressRequestSubject;

    public override string ToString() => $"addr-req {Origin}";

    internal static AddressRequest FromFields(List<object?> fields) => new(ReadString(fields, 0, "origin", allowEmpty: true));

    private protected override List<object?> ToFields() => [Origin];
}
