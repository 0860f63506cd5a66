namespace Van;

/// <summary>A node this node keeps a connection to.</summary>
public sealed class VanLinkOptions
{
    /// <summary>The node's listener: <c>HOST:PORT</c> or <c>amqp://HOST:PORT</c>.</summary>
    public string Url { get; set; } = "";

    /// <summary>
    /// The link's cost (1 or more, default 1): routing prefers the cheapest live instance with capacity, so a cost-10
    /// link to a cloud site takes traffic only when cheaper instances are saturated or gone.
    /// </summary>
    public int Cost { get; set; } = 1;
}
