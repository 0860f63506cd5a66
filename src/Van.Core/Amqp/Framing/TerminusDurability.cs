namespace Van.Core.Amqp.Framing;

/// <summary>What state of a terminus is retained durably (AMQP 1.0 §3.5.5), encoded as a uint.</summary>
public enum TerminusDurability : uint
{
    /// <summary>No terminus state is retained durably (the spec default).</summary>
    None = 0,

    /// <summary>Only the terminus configuration is retained.</summary>
    Configuration = 1,

    /// <summary>The configuration and the unsettled state are retained.</summary>
    UnsettledState = 2,
}
