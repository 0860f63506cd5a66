using System.Buffers.Binary;

namespace Van.LoadTest.Harness;

/// <summary>
/// The messages every target carries: 64 bytes made unique per call (sequence number and worker), so an echo proves
/// the reply is this call's own, and 1 MiB bulk messages stamped at both ends around a fixed pattern.
/// </summary>
internal static class Payloads
{
    /// <summary>The size of every small message.</summary>
    public const int Size = 64;

    /// <summary>The size of every bulk message (1 MiB).</summary>
    public const int BulkSize = 1 << 20;

    private const int PatternStart = 12;

    private static readonly byte[] BulkPattern = CreateBulkPattern();

    /// <summary>A 64-byte message for <paramref name="worker"/>: the fixed part is written once, <see cref="Stamp"/> per call.</summary>
    public static byte[] Create(int worker)
    {
        var payload = new byte[Size];
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(8), worker);
        for (var i = PatternStart; i < Size; i++)
        {
            payload[i] = PatternByte(worker, i);
        }

        return payload;
    }

    /// <summary>Makes the message unique: the call's sequence number in its first 8 bytes.</summary>
    public static void Stamp(Span<byte> payload, long sequence) => BinaryPrimitives.WriteInt64LittleEndian(payload, sequence);

    /// <summary>Whether <paramref name="payload"/> is a well-formed message (what one-way receivers check).</summary>
    public static bool IsValid(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != Size)
        {
            return false;
        }

        var worker = BinaryPrimitives.ReadInt32LittleEndian(payload[8..]);
        for (var i = PatternStart; i < Size; i++)
        {
            if (payload[i] != PatternByte(worker, i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A 1 MiB message: the pattern, stamped per call with <see cref="StampBulk"/>.</summary>
    public static byte[] CreateBulk() => (byte[])BulkPattern.Clone();

    public static void StampBulk(Span<byte> payload, long sequence)
    {
        BinaryPrimitives.WriteInt64LittleEndian(payload, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(payload[^8..], sequence);
    }

    /// <summary>Checks a bulk message whole (vectorized compare); its sequence number when valid, -1 otherwise.</summary>
    public static long ReadBulk(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != BulkSize)
        {
            return -1;
        }

        var first = BinaryPrimitives.ReadInt64LittleEndian(payload);
        var last = BinaryPrimitives.ReadInt64LittleEndian(payload[^8..]);
        return first == last && payload[8..^8].SequenceEqual(BulkPattern.AsSpan(8, BulkSize - 16)) ? first : -1;
    }

    private static byte PatternByte(int worker, int index) => unchecked((byte)((worker * 31) + (index * 7)));

    private static byte[] CreateBulkPattern()
    {
        var pattern = new byte[BulkSize];
        for (var i = 0; i < pattern.Length; i++)
        {
            pattern[i] = unchecked((byte)((i * 7) + (i >> 10)));
        }

        return pattern;
    }
}
