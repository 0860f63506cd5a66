using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>
/// Decides what a connection does with what the peer starts: sessions and links. Runs on the connection's reader
/// loop, so keep it short and never block. The default accepts every session and link and echoes the requested
/// terminus, with a fresh address for dynamic nodes.
/// </summary>
public class AmqpConnectionHandler
{
    /// <summary>The shared default handler.</summary>
    public static AmqpConnectionHandler Default { get; } = new();

    /// <summary>The peer began a session (already answered).</summary>
    public virtual void OnSessionBegun(AmqpSession session)
    {
    }

    /// <summary>
    /// The peer is attaching a link. Set <see cref="AmqpLink.LocalSource"/>/<see cref="AmqpLink.LocalTarget"/> to
    /// change what is echoed back. Return null to accept, or an error to refuse (the link is attached with a null
    /// terminus and detached with the error, §2.6.3).
    /// </summary>
    public virtual Error? OnLinkAttaching(AmqpLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (link.Role == LinkRole.Sender && link.RemoteAttach?.Source is { Dynamic: true } source)
        {
            link.LocalSource = new Source
            {
                Address = "dynamic/" + Guid.NewGuid().ToString("N"),
                Dynamic = true,
                Durable = source.Durable,
                ExpiryPolicy = source.ExpiryPolicy,
                Timeout = source.Timeout,
            };
        }

        return null;
    }

    /// <summary>The link is attached (the attach reply is sent). Receivers usually grant credit here.</summary>
    public virtual void OnLinkAttached(AmqpLink link)
    {
    }
}
