namespace Van.Routing.Internal;

internal enum ConnectionKind
{
    Unknown,
    Client,
    InterNode,
}
