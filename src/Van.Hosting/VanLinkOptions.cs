namespace Van;

/// <summary>A node this node keeps a connection to.</summary>
public sealed class VanLinkOptions
{
    /// <summary>
    /// The node's listener: <c>HOST:PORT</c>, <c>amqp://HOST:PORT</c>, or <c>amqps://HOST:PORT</c> (TLS with the node's
    /// <see cref="VanOptions.Tls"/>). May be empty when <see cref="Token"/> is given.
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>
    /// A link token file (<c>van token issue</c>): it holds the URL, the site's CA certificate and a client certificate
    /// that expires with the token. The link then uses TLS with those, whatever <see cref="VanOptions.Tls"/> says.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>
    /// The link's cost (1 or more, default 1, or the token's cost when a token is given and this is left at 1): routing
    /// prefers the cheapest live instance with capacity, so a cost-10
    /// link to a cloud site takes traffic only when cheaper instances are saturated or gone.
    /// </summary>
    public int Cost { get; set; } = 1;
}
