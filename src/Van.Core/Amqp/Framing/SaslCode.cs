namespace Van.Core.Amqp.Framing;

/// <summary>The outcome of a SASL exchange (AMQP 1.0 §5.3.3.6), encoded as a ubyte.</summary>
public enum SaslCode : byte
{
    /// <summary>Authentication succeeded.</summary>
    Ok = 0,

    /// <summary>Authentication failed because of bad credentials.</summary>
    Auth = 1,

    /// <summary>Authentication failed because of a system error.</summary>
    Sys = 2,

    /// <summary>Authentication failed because of a permanent system error.</summary>
    SysPerm = 3,

    /// <summary>Authentication failed because of a transient system error.</summary>
    SysTemp = 4,
}
