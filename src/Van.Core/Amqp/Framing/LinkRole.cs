namespace Van.Core.Amqp.Framing;

/// <summary>The role of a link endpoint (AMQP 1.0 §2.8.1), encoded as a boolean: false = sender, true = receiver.</summary>
public enum LinkRole
{
    /// <summary>The endpoint sends messages (boolean false).</summary>
    Sender = 0,

    /// <summary>The endpoint receives messages (boolean true).</summary>
    Receiver = 1,
}
