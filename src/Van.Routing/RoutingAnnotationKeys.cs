namespace Van.Routing;

/// <summary>
/// Message-annotation keys nodes read and write. Nodes add <c>to</c>, <c>dest</c> and <c>trace</c> on inter-node
/// hops and strip them before a message reaches a client; everything else in the message passes untouched.
/// </summary>
public static class RoutingAnnotationKeys
{
    /// <summary>The address being routed (set by the ingress node: the link's target or the message's <c>to</c>).</summary>
    public const string To = "x-opt-van-to";

    /// <summary>The destination node ids this copy is for (one for closest/balanced; several for multicast).</summary>
    public const string Dest = "x-opt-van-dest";

    /// <summary>The node ids the message has passed through, ingress first: a node never forwards to one of them.</summary>
    public const string Trace = "x-opt-van-trace";

    /// <summary>
    /// <c>true</c> on a multicast copy: each node it reaches delivers it to every local consumer and forwards it toward
    /// the rest of its <see cref="Dest"/> nodes, whatever distribution that node configured for the address.
    /// </summary>
    public const string Multicast = "x-opt-van-multicast";

    /// <summary>
    /// Set to <c>true</c> by a sender whose message is safe to deliver twice (idempotent): on a link failure in
    /// flight the ingress node re-routes it instead of failing it with <see cref="VanErrors.LinkLost"/>.
    /// </summary>
    public const string Retryable = "x-opt-van-retryable";
}
