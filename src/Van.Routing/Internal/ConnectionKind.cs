namespace Van.Routing.Internal;

internal enum ConnectionKind
{
    Unknown,
    Client,
    InterNode,

    /// <summary>The peer claimed a role its listener does not admit, or did not authenticate as that role needs.</summary>
    Refused,
}
