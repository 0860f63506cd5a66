using Microsoft.Extensions.Logging;
using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Engine;

/// <summary>Settings for one AMQP connection, either end. Every default is safe for a router facing the internet.</summary>
public sealed class AmqpConnectionOptions
{
    /// <summary>The container id sent in open. Default: a new uuid.</summary>
    public string ContainerId { get; set; } = Guid.NewGuid().ToString();

    /// <summary>The host name sent in open (the virtual host the client wants). Default: none.</summary>
    public string? Hostname { get; set; }

    /// <summary>
    /// The largest frame we accept, advertised in open. Default 65,536. Larger frames mean fewer frames per big
    /// message but a peer can make us buffer this much per frame before we can judge it. Minimum 512. A larger frame
    /// closes the connection with <c>amqp:resource-limit-exceeded</c> (its length prefix is checked before any of it
    /// is buffered).
    /// </summary>
    public uint MaxFrameSize { get; set; } = 64 * 1024;

    /// <summary>
    /// The highest channel number we accept (sessions at once minus one), advertised in open. Default 255. A begin
    /// beyond it closes the connection with <c>amqp:resource-limit-exceeded</c>.
    /// </summary>
    public ushort ChannelMax { get; set; } = 255;

    /// <summary>
    /// How long the peer may stay silent before we close the connection with
    /// <c>amqp:resource-limit-exceeded</c>. We advertise half of it in open (as Proton does), so a peer that sends
    /// heartbeats at half our advertised value is never close to the limit. Null: no idle timeout. Default 60 s.
    /// </summary>
    public TimeSpan? IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long the TLS handshake (on an accepted TLS transport), protocol header, SASL and open exchange may take
    /// together. Default 30 s. A peer that does not finish in time is dropped (with a close carrying
    /// <c>amqp:resource-limit-exceeded</c> when our open was already sent).
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Properties sent in open.</summary>
    public Dictionary<AmqpSymbol, object?>? Properties { get; set; }

    /// <summary>Capabilities offered in open. Default: ANONYMOUS-RELAY (senders with a null target address).</summary>
    public AmqpSymbol[]? OfferedCapabilities { get; set; } = [new AmqpSymbol("ANONYMOUS-RELAY")];

    /// <summary>Capabilities desired in open.</summary>
    public AmqpSymbol[]? DesiredCapabilities { get; set; }

    /// <summary>Client side: the SASL mechanism to use, or null to skip the SASL layer. Default: ANONYMOUS.</summary>
    public SaslCredentials? Sasl { get; set; } = SaslCredentials.Anonymous;

    /// <summary>Server side: what SASL the listener offers and requires.</summary>
    public SaslServerOptions SaslServer { get; set; } = new();

    /// <summary>
    /// Session incoming window, in transfer frames, granted to each session the peer begins and refreshed as frames
    /// arrive. Default 2,048 frames. It bounds the frames a peer may have in flight per session.
    /// </summary>
    public uint SessionWindow { get; set; } = 2048;

    /// <summary>
    /// The largest link handle a session accepts (links at once per session minus one), advertised in begin.
    /// Default 1,023. An attach with a higher handle closes the connection with <c>amqp:resource-limit-exceeded</c>
    /// (the peer broke the limit it was told).
    /// </summary>
    public uint HandleMax { get; set; } = 1023;

    /// <summary>
    /// The most links the peer may have attached at once over all sessions of the connection. Default 1,024. An
    /// attach beyond it is refused: answered with an attach and at once a detach (closed) with
    /// <c>amqp:resource-limit-exceeded</c>; the connection and its other links go on. Raising it lets one peer hold
    /// more link state (and delivery buffers) in this process.
    /// </summary>
    public int MaxLinksPerConnection { get; set; } = 1024;

    /// <summary>
    /// The most unsettled incoming deliveries one receiver link holds (received, not yet settled by us). Default
    /// 1,000. A peer that sends more (it ignores our credit, or we granted more and it sends unsettled messages we
    /// have not settled) gets that link detached (closed) with <c>amqp:resource-limit-exceeded</c>; the connection
    /// and its other links go on. Raising it lets one link pin more memory.
    /// </summary>
    public int MaxUnsettledPerLink { get; set; } = 1000;

    /// <summary>
    /// The largest message we accept on a link, in bytes, advertised in attach; 0 for no limit. Default 64 MiB. A
    /// larger message detaches that link (closed) with <c>amqp:resource-limit-exceeded</c>.
    /// </summary>
    public ulong MaxMessageSize { get; set; } = 64UL * 1024 * 1024;

    /// <summary>Clock for heartbeats and timeouts; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the connection logs. Default: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal void Validate()
    {
        if (MaxFrameSize < 512)
        {
            throw new ArgumentException($"MaxFrameSize must be at least 512 (was {MaxFrameSize}).");
        }

        if (SessionWindow == 0)
        {
            throw new ArgumentException("SessionWindow must be at least 1.");
        }

        if (MaxLinksPerConnection < 1)
        {
            throw new ArgumentException($"MaxLinksPerConnection must be at least 1 (was {MaxLinksPerConnection}).");
        }

        if (MaxUnsettledPerLink < 1)
        {
            throw new ArgumentException($"MaxUnsettledPerLink must be at least 1 (was {MaxUnsettledPerLink}).");
        }

        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("HandshakeTimeout must be positive.");
        }

        if (IdleTimeout is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentException("IdleTimeout must be positive, or null for none.");
        }
    }
}
