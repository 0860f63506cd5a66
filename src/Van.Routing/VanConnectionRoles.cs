namespace Van.Routing;

/// <summary>Which kinds of connection a listener admits.</summary>
[Flags]
public enum VanConnectionRoles
{
    /// <summary>Admits nothing (not a valid setting).</summary>
    None = 0,

    /// <summary>Other Van nodes (the routing protocol and forwarded traffic).</summary>
    InterNode = 1,

    /// <summary>Ordinary AMQP clients (producers and consumers of addresses).</summary>
    Client = 2,

    /// <summary>Both nodes and clients.</summary>
    Both = InterNode | Client,
}
