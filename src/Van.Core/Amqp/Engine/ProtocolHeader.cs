namespace Van.Core.Amqp.Engine;

/// <summary>The 8-byte protocol headers (§2.2, §5.3): "AMQP", protocol id, major, minor, revision.</summary>
internal static class ProtocolHeader
{
    public const int Size = 8;

    public static ReadOnlySpan<byte> Amqp => [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 1, 0, 0];

    public static ReadOnlySpan<byte> Sasl => [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 3, 1, 0, 0];

    public static bool IsAmqp(ReadOnlySpan<byte> h) => h.SequenceEqual(Amqp);

    public static bool IsSasl(ReadOnlySpan<byte> h) => h.SequenceEqual(Sasl);

    public static string Describe(ReadOnlySpan<byte> h) =>
        h.Length >= 4 && h[..4].SequenceEqual("AMQP"u8)
            ? $"AMQP id={h[4]} {h[5]}.{h[6]}.{h[7]}"
            : "non-AMQP bytes " + Convert.ToHexString(h);
}
