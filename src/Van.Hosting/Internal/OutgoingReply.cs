using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Internal;

/// <summary>
/// A handler's reply on its way back to its caller, encoded in a buffer the router may read (and resend) until it
/// reports the outcome; pooled by the node with its buffer, so a reply allocates neither.
/// </summary>
internal sealed class OutgoingReply : IDisposable
{
    private const int MaxKeptBytes = 64 * 1024;
    private readonly VanNode _node;
    private AmqpBuffer _message = new();

    public OutgoingReply(VanNode node)
    {
        _node = node;
        OnSent = OnOutcome;
    }

    public AmqpBuffer Message => _message;

    /// <summary>Where the reply goes (for the log, should it not get there).</summary>
    public string ReplyTo { get; set; } = "";

    /// <summary>Given to the router with the reply: logs a lost reply and returns this to the pool.</summary>
    public Action<DeliveryState> OnSent { get; }

    /// <summary>Gets the reply ready for the pool (a large buffer is let go).</summary>
    public void Recycle()
    {
        if (_message.Length > MaxKeptBytes)
        {
            _message.Dispose();
            _message = new AmqpBuffer();
        }
        else
        {
            _message.Reset();
        }

        ReplyTo = "";
    }

    public void Dispose() => _message.Dispose();

    private void OnOutcome(DeliveryState state)
    {
        if (state is not Accepted)
        {
            _node.ReplyLost(ReplyTo, state);
        }

        _node.Recycle(this);
    }
}
